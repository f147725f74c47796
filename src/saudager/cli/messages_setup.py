"""``saudager messages pause|resume|window|language|templates|template|template-reset``: each
shop's messaging setup (``domains/messaging/setup.py``). Registered on ``messages_app`` by
``cli/messages.py``."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from saudager.cli.context import fail, services_of
from saudager.cli.output import console, print_json
from saudager.domains.messaging.setup import SetupError, ShopMessagingSetup
from saudager.domains.messaging.templates import Language, MessageKind, TemplateError
from saudager.domains.messaging.views import setup_json, template_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ShopArgument = Annotated[str, typer.Argument(help="Shop name or id.")]
KindArgument = Annotated[MessageKind, typer.Argument(help="Which message.")]
LanguageArgument = Annotated[Language, typer.Argument(help="ru, kk or en.")]


def _clock(value: str, what: str) -> time:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        raise fail(f"{what} {value!r}: expected a local time as HH:MM, e.g. 10:00") from None
    return parsed


def _show(name: str, setup: ShopMessagingSetup, as_json: bool) -> None:
    if as_json:
        print_json(setup_json(setup))
        return
    whose = "the install's" if setup.window_is_default else "its own"
    console.print(
        f"{escape(name)}: window {setup.window_start:%H:%M}–{setup.window_end:%H:%M} ({whose}), "
        f"language {setup.language.value}, "
        + (f"paused ({escape(setup.pause_reason or '')})" if setup.paused else "messages on")
    )


def pause(
    ctx: typer.Context,
    shop: ShopArgument,
    reason: Annotated[str, typer.Option(help="Why, for the record.")] = "paused by the seller",
) -> None:
    """The shop's kill switch: none of its messages leaves (queued ones are cancelled when the
    dispatcher reaches them); the other shops on the number go on."""
    with services_of(ctx) as services:
        found = services.shop(shop)
        changed = services.messaging_setup.pause(found, reason)
    console.print(
        f"Messages of {found.name} paused." if changed else f"{found.name} was already paused."
    )


def resume(ctx: typer.Context, shop: ShopArgument) -> None:
    """Turn the shop's messages on again (what was cancelled while paused stays cancelled)."""
    with services_of(ctx) as services:
        found = services.shop(shop)
        changed = services.messaging_setup.resume(found)
    console.print(f"Messages of {found.name} on." if changed else f"{found.name} was not paused.")


def window(
    ctx: typer.Context,
    shop: ShopArgument,
    start: Annotated[str | None, typer.Argument(help="Opening, HH:MM local time.")] = None,
    end: Annotated[str | None, typer.Argument(help="Closing, HH:MM (excluded).")] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Back to the install's window.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Show or set the shop's send window, in its own time zone (an end before the start runs
    past midnight). Without times: show the setup in force."""
    if (start is None) != (end is None):
        raise fail("give both the window's start and end (HH:MM HH:MM), or neither")
    if default and start is not None:
        raise fail("give a window or --default, not both")
    with services_of(ctx) as services:
        found = services.shop(shop)
        setups = services.messaging_setup
        try:
            if start is not None and end is not None:
                shown = setups.set_window(found, _clock(start, "start"), _clock(end, "end"))
            elif default:
                shown = setups.use_default_window(found)
            else:
                shown = setups.setup(found)
        except SetupError as exc:
            raise fail("\n".join(exc.problems)) from exc
    _show(found.name, shown, as_json)


def language(
    ctx: typer.Context, shop: ShopArgument, chosen: LanguageArgument, as_json: JsonOption = False
) -> None:
    """The language the shop's buyers are written to in."""
    with services_of(ctx) as services:
        found = services.shop(shop)
        shown = services.messaging_setup.set_language(found, chosen)
    _show(found.name, shown, as_json)


def templates(
    ctx: typer.Context,
    shop: ShopArgument,
    own: Annotated[bool, typer.Option("--own", help="Only the shop's own wordings.")] = False,
    as_json: JsonOption = False,
) -> None:
    """The wording in force for every kind and language: the shop's own, else the ready one."""
    with services_of(ctx) as services:
        found = services.shop(shop)
        entries = [e for e in services.messaging_setup.templates(found) if e.own or not own]
    if as_json:
        print_json({"templates": [template_json(entry) for entry in entries]})
        return
    table = Table("kind", "lang", "whose", "approved template", "text")
    for entry in entries:
        table.add_row(
            entry.kind.value, entry.language.value, "own" if entry.own else "ready",
            entry.provider_template, escape(entry.body),
        )  # fmt: skip
    console.print(table)


def template(
    ctx: typer.Context,
    shop: ShopArgument,
    kind: KindArgument,
    chosen: LanguageArgument,
    text: Annotated[str | None, typer.Option(help="The wording, with placeholders.")] = None,
    file: Annotated[
        Path | None, typer.Option(help="A UTF-8 text file holding the wording.", dir_okay=False)
    ] = None,
    approved_name: Annotated[
        str | None,
        typer.Option(help="The WhatsApp template it is approved under (default shopID_KIND)."),
    ] = None,
) -> None:
    """Save the shop's own wording of one kind in one language. It is checked first: an
    unknown or missing placeholder, an incentive word… is refused, with every problem named,
    and nothing is stored."""
    if (text is None) == (file is None):
        raise fail("give the wording with --text or --file (one of them)")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"{file}: cannot read it as UTF-8 text ({exc})") from exc
    assert text is not None
    with services_of(ctx) as services:
        found = services.shop(shop)
        try:
            saved = services.messaging_setup.save_template(found, kind, chosen, text, approved_name)
        except TemplateError as exc:
            where = f"{file}: " if file is not None else ""
            raise fail("\n".join(where + problem for problem in exc.problems)) from exc
    console.print(
        f"Saved {found.name}'s own {kind.value} wording in {chosen.value}. Submit it for "
        f"approval in WhatsApp Manager as '{saved.provider_template}' ({chosen.value}, category "
        "UTILITY); 'saudager messages preview' shows the body to submit."
    )


def template_reset(
    ctx: typer.Context, shop: ShopArgument, kind: KindArgument, chosen: LanguageArgument
) -> None:
    """Back to the ready wording of one kind in one language."""
    with services_of(ctx) as services:
        found = services.shop(shop)
        changed = services.messaging_setup.reset_template(found, kind, chosen)
    console.print(
        f"{found.name} uses the ready {kind.value} wording in {chosen.value} again."
        if changed
        else f"{found.name} had no own {kind.value} wording in {chosen.value}."
    )


def numbers(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """The business numbers WhatsApp stopped (a block or quality signal): nothing leaves them
    until resumed."""
    with services_of(ctx) as services:
        stops = services.messaging_setup.number_stops()
    if as_json:
        print_json(
            {
                "stopped": [
                    {"number": s.number, "kind": s.kind.value, "reason": s.reason,
                     "stopped_at": s.stopped_at.isoformat()}
                    for s in stops
                ]
            }
        )  # fmt: skip
        return
    if not stops:
        console.print("No business number is stopped.")
        return
    table = Table("number", "stopped at", "why")
    for stop in stops:
        table.add_row(stop.number, stop.stopped_at.isoformat()[:16], escape(stop.reason))
    console.print(table)


def number_resume(
    ctx: typer.Context, number: Annotated[str, typer.Argument(help="The phone number id.")]
) -> None:
    """Let a stopped business number send again, once the cause is dealt with in WhatsApp
    Manager. Messages failed by the stop stay failed."""
    with services_of(ctx) as services:
        changed = services.messaging_setup.resume_number(number)
    console.print(f"{number} sends again." if changed else f"{number} was not stopped.")
