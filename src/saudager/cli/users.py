"""``saudager user``: people who sign in to the web app, their roles in shops, API tokens."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from saudager.cli.context import fail, services_of
from saudager.cli.output import console, errors, print_json
from saudager.core.errors import SaudagerError
from saudager.domains.accounts.logic import parse_role

user_app = typer.Typer(
    no_args_is_help=True, help="Users of the web app, their roles in shops, API tokens."
)

PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from one line of standard input."),
]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise fail("no password on standard input: send it as one line")
        return line
    if not sys.stdin.isatty():
        raise fail("no terminal to ask for the password on: use --password-stdin")
    password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="3–64 Latin letters, digits or . _ - @.")],
    password_stdin: PasswordStdin = False,
    name: Annotated[
        str | None, typer.Option("--name", help="The name shown in the app (default: USERNAME).")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the app: ru or en.")] = "ru",
    shop: Annotated[
        str | None, typer.Option(help="Make the user a member of this shop (name or id).")
    ] = None,
    role: Annotated[
        str | None, typer.Option(help="The role in --shop: owner, manager or viewer.")
    ] = None,
) -> None:
    """Add a user; without --password-stdin the password is asked twice on the terminal."""
    if (shop is None) != (role is None):
        raise fail("--shop and --role go together: give both, or neither")
    try:
        wanted = None if role is None else parse_role(role)
    except SaudagerError as exc:
        raise fail(str(exc)) from exc
    with services_of(ctx) as services:
        target = None if shop is None else services.shop(shop)
        password = _password(password_stdin)
        user = services.accounts.add_user(username, password, display_name=name, language=language)
        if target is not None and wanted is not None:
            services.accounts.grant(user.id, target.id, wanted)
    granted = "" if target is None else f", {wanted} of shop {target.name}"
    console.print(f"Added user [bold]{escape(user.username)}[/bold] (id {user.id}{granted}).")


@user_app.command("password")
def user_password(ctx: typer.Context, username: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for a user; every web session of the user ends."""
    with services_of(ctx) as services:
        user = services.accounts.user_by_name(username)
        services.accounts.set_password(user.id, _password(password_stdin))
    console.print(f"Password of {escape(user.username)} changed; their sessions have ended.")


@user_app.command("grant")
def user_grant(
    ctx: typer.Context,
    username: str,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    role: Annotated[str, typer.Argument(help="owner, manager or viewer.")],
) -> None:
    """Make a user a member of a shop, or change their role in it."""
    try:
        wanted = parse_role(role)
    except SaudagerError as exc:
        raise fail(str(exc)) from exc
    with services_of(ctx) as services:
        user = services.accounts.user_by_name(username)
        target = services.shop(shop)
        services.accounts.grant(user.id, target.id, wanted)
    console.print(f"{escape(user.username)} is {wanted} of shop {escape(target.name)}.")


@user_app.command("revoke")
def user_revoke(
    ctx: typer.Context,
    username: str,
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
) -> None:
    """Remove a user from a shop: they no longer see it."""
    with services_of(ctx) as services:
        user = services.accounts.user_by_name(username)
        target = services.shop(shop)
        if services.accounts.role(user.id, target.id) is None:
            raise fail(f"{user.username} is not a member of shop {target.name}")
        services.accounts.revoke(user.id, target.id)
    console.print(f"{escape(user.username)} no longer sees shop {escape(target.name)}.")


@user_app.command("list")
def user_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The users and their roles in shops."""
    with services_of(ctx) as services:
        accounts = services.accounts
        rows = [(user, accounts.shops_of(user.id)) for user in accounts.list_users()]
    if as_json:
        print_json(
            {
                "users": [
                    {
                        "id": user.id,
                        "username": user.username,
                        "display_name": user.display_name,
                        "language": user.language,
                        "created_at": user.created_at,
                        "shops": [
                            {"shop_id": s.id, "shop": s.name, "role": r.value} for s, r in shops
                        ],
                    }
                    for user, shops in rows
                ]
            }
        )
        return
    table = Table("id", "username", "name", "language", "shops", title="Users")
    for user, shops in rows:
        table.add_row(
            str(user.id),
            escape(user.username),
            escape(user.display_name),
            user.language,
            escape(", ".join(f"{s.name}: {r}" for s, r in shops)) or "—",
        )
    console.print(table)


@user_app.command("token")
def user_token(
    ctx: typer.Context,
    username: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
) -> None:
    """Issue an API token for a user and print it. It is shown this once."""
    with services_of(ctx) as services:
        user = services.accounts.user_by_name(username)
        token = services.accounts.issue_api_token(user.id, name)
    # The token alone on standard output, so that a script can take it; the advice on stderr.
    print(token)
    errors.print(
        f"API token {escape(name)!r} of {escape(user.username)}: shown once, store it now. "
        "Send it as 'Authorization: Bearer <token>'.",
        highlight=False,
    )
