"""``saudager``: shops, sync, import, the simulator, the web app and the demo."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.markup import escape
from rich.table import Table

from saudager.cli.messages import messages_app
from saudager.cli.output import console, errors, print_json
from saudager.cli.progress import sync_with_progress
from saudager.cli.users import user_app
from saudager.core.errors import InputValidationError, SaudagerError
from saudager.core.timewindows import local_day
from saudager.settings import Settings, load_settings
from saudager.wiring import Services, build_services

app = typer.Typer(no_args_is_help=True, help="Saudager: a cockpit for sellers on Kaspi.kz.")
shop_app = typer.Typer(no_args_is_help=True, help="Add and list shops.")
app.add_typer(shop_app, name="shop")
app.add_typer(user_app, name="user")
app.add_typer(messages_app, name="messages")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="A TOML settings file (see docs/settings.md).")
]


class _State:
    config: Path | None = None


def _settings() -> Settings:
    return load_settings(_State.config)


def _services() -> Services:
    return build_services(_settings())


@app.callback()
def _main(config: ConfigOption = None) -> None:
    _State.config = config
    level = _settings().log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level != "DEBUG":
        # A line per HTTP request drowns the progress bar; our client logs what matters.
        for noisy in ("httpx", "httpcore", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def _fail(message: str, code: int = 1) -> typer.Exit:
    # Escaped: a message may quote input such as "[1]" that Rich would read as markup.
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code)


def _token_from(token: str | None, token_stdin: bool) -> str | None:
    if token_stdin:
        return sys.stdin.readline().strip() or None
    return token


# ---- shops -----------------------------------------------------------------------------------


@shop_app.command("add")
def shop_add(
    name: str,
    token: Annotated[
        str | None, typer.Option(help="The Kaspi API token (cabinet: Settings → API token).")
    ] = None,
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read the token from standard input.")
    ] = False,
    api_url: Annotated[str | None, typer.Option(help="Kaspi API base URL (a simulator's).")] = None,
    timezone: Annotated[str | None, typer.Option(help="The shop's IANA time zone.")] = None,
    requests_per_second: Annotated[
        float | None,
        typer.Option(help="Most requests a second to Kaspi for this shop (default: the setting)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a shop. Without a token it can still be filled by file import."""
    services = _services()
    try:
        shop = services.add_shop(
            name, _token_from(token, token_stdin), api_url, timezone, requests_per_second
        )
    except (SaudagerError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    if as_json:
        print_json(shop)
    else:
        console.print(f"Added shop [bold]{shop.name}[/bold] (id {shop.id}, {shop.timezone}).")


@shop_app.command("token")
def shop_token(
    shop: str,
    token: Annotated[str | None, typer.Option(help="The new Kaspi API token.")] = None,
    token_stdin: Annotated[bool, typer.Option("--token-stdin")] = False,
) -> None:
    """Set or replace a shop's Kaspi API token (stored encrypted)."""
    secret = _token_from(token, token_stdin)
    if not secret:
        raise _fail("give the token with --token or --token-stdin")
    services = _services()
    try:
        services.set_token(services.shop(shop), secret)
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    console.print("Token saved.")


@shop_app.command("list")
def shop_list(as_json: JsonOption = False) -> None:
    """List the shops with their last sync."""
    status(as_json=as_json)


@app.command()
def status(as_json: JsonOption = False) -> None:
    """Shops, their orders and the state of their last sync."""
    services = _services()
    try:
        rows = services.shops.overview()
    finally:
        services.close()
    if as_json:
        print_json({"shops": rows})
        return
    table = Table("id", "shop", "zone", "token", "orders", "last sync", title="Shops")
    for row in rows:
        last = row.last_sync
        sync_text = (
            "never" if last is None else f"{last.status} {last.started_at:%Y-%m-%d %H:%M} UTC"
        )
        table.add_row(
            str(row.shop.id),
            row.shop.name,
            row.shop.timezone,
            "yes" if row.shop.has_token else "no",
            f"{row.orders:,}".replace(",", " "),
            sync_text,
        )
    console.print(table)


# ---- sync and import -------------------------------------------------------------------------


@app.command()
def sync(shop: str, as_json: JsonOption = False) -> None:
    """Fetch new and changed orders, products and reviews from Kaspi."""
    services = _services()
    try:
        target = services.shop(shop)
        with services.kaspi_client(target) as client:
            if as_json:
                result = services.sync.sync(target, client, datetime.now(UTC))
            else:
                result = sync_with_progress(services, target, client)
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    if as_json:
        print_json(result)
    else:
        console.print(
            f"Synced [bold]{target.name}[/bold]: {result.orders_seen} orders read, "
            f"{result.orders_written} new or changed, {result.returns_written} returns, "
            f"{result.products_written} new products, {result.reviews_seen} reviews "
            f"({result.reviews_deleted} deleted)."
        )


@app.command("import")
def import_files(
    shop: str,
    files: Annotated[list[Path], typer.Argument(help="CSV or XLSX files.", exists=False)],
    kind: Annotated[
        str | None,
        typer.Option(
            help="orders, order_lines, reviews, returns or products (default: from the header)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import orders, lines, reviews, returns or products from files. All or nothing."""
    services = _services()
    try:
        report = services.imports.import_files(services.shop(shop), files, kind)
    except InputValidationError as exc:
        if as_json:
            print_json({"ok": False, "problems": [str(p) for p in exc.problems]})
            raise typer.Exit(1) from exc
        raise _fail(str(exc)) from exc
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    if as_json:
        print_json({"ok": True, "report": report})
    else:
        console.print(str(report))


# ---- quality ---------------------------------------------------------------------------------


@app.command(
    context_settings={"allow_interspersed_args": True},
    help="Kaspi's quality indicators of a shop.\n\n"
    "saudager quality SHOP · quality explain SHOP INDICATOR · quality outlook SHOP · "
    "quality warnings SHOP · quality history SHOP · quality zhuma SHOP · quality alerts SHOP",
)
def quality(
    words: Annotated[list[str], typer.Argument(help="[ACTION] SHOP [INDICATOR]", metavar="...")],
    as_of: Annotated[
        str | None, typer.Option(help="The day (YYYY-MM-DD, shop-local); default: today.")
    ] = None,
    days: Annotated[int, typer.Option(help="Outlook: how many days ahead.")] = 30,
    as_json: JsonOption = False,
) -> None:
    from saudager.cli import quality as show
    from saudager.domains.quality import views

    action = words[0] if words and words[0] in show.ACTIONS else "report"
    rest = words[1:] if action != "report" else words
    expected = 2 if action == "explain" else 1
    if len(rest) != expected:
        usage = (
            "quality explain SHOP INDICATOR" if action == "explain" else f"quality {action} SHOP"
        )
        raise _fail(f"usage: saudager {usage.replace('quality report', 'quality')}", code=2)
    services = _services()
    try:
        shop = services.shop(rest[0])
        now = datetime.now(UTC)
        day = show.parse_day(as_of, local_day(now, shop.timezone))
        service = services.quality
        payload: Any
        if action == "report" or action == "zhuma":
            report = service.report(shop, day)
            payload = views.report_json(report)
            if not as_json:
                show.print_report(report)
                show.print_sanctions(report)
                if action == "zhuma":
                    show.print_zhuma(report)
                else:
                    console.print(report.zhuma.timing.sentence_ru)
        elif action == "explain":
            explanation = service.explain(shop, show.parse_indicator(rest[1]), day)
            payload = views.explanation_json(explanation)
            if not as_json:
                show.print_explanation(explanation, shop.timezone)
        elif action == "outlook":
            ahead = service.outlook(shop, day, days)
            payload = {"as_of": day.isoformat(), "outlook": views.outlook_json(ahead)}
            if not as_json:
                show.print_outlook(ahead)
        elif action == "warnings":
            found = service.warnings(shop, now)
            payload = {"now": now.isoformat(), "warnings": views.warnings_json(found)}
            if not as_json:
                show.print_warnings(found)
        elif action == "alerts":
            notifier = services.notifier()
            try:
                sent = service.check_alerts(shop, now, notifier)
            finally:
                close = getattr(notifier, "close", None)
                if callable(close):
                    close()
            payload = {"sent": [{"key": a.key, "kind": str(a.kind), "text": a.text} for a in sent]}
            if not as_json:
                for alert in sent:
                    console.print(f"[yellow]{alert.title}[/yellow]\n{alert.text}\n")
                console.print(f"Отправлено уведомлений: {len(sent)}.")
        else:
            service.report(shop, day)  # brings the stored history up to date
            snapshots = service.history(shop, None, day)
            payload = {"history": views.history_json(snapshots)}
            if not as_json:
                show.print_history(snapshots[-5 * 30 :])
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    if as_json:
        print_json(payload)


# ---- costs -----------------------------------------------------------------------------------

costs_app = typer.Typer(no_args_is_help=True, help="Purchase costs and Kaspi commission rates.")
app.add_typer(costs_app, name="costs")


def _day(raw: str | None, default: date) -> date:
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"expected a date such as 2026-03-01, got {raw!r}") from None


@costs_app.command("purchase")
def costs_purchase(
    shop: str,
    sku: str,
    amount: Annotated[str, typer.Argument(help="The purchase cost of one unit, in tenge.")],
    effective_from: Annotated[
        str | None, typer.Option("--from", help="From this local day on (default: today).")
    ] = None,
) -> None:
    """Set what one unit of SKU costs to buy, from a day on (earlier days keep their cost)."""
    from saudager.core.money import MoneyError, to_tenge
    from saudager.domains.catalog.types import ProductCost

    try:
        cost = to_tenge(amount)
    except MoneyError as exc:
        raise _fail(f"amount: expected tenge such as 12 345 or 12345.50, got {amount!r}") from exc
    if cost < 0:
        raise _fail("amount: a purchase cost cannot be negative")
    services = _services()
    try:
        target = services.shop(shop)
        day = _day(effective_from, local_day(datetime.now(UTC), target.timezone))
        with services.store.transaction() as tx:
            tx.add_product_costs(target.id, [ProductCost(sku, day, cost)])
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    console.print(f"{sku}: {cost} ₸ from {day:%d.%m.%Y}.")


@costs_app.command("commission")
def costs_commission(
    shop: str,
    category: Annotated[str, typer.Argument(help="Kaspi category title, or * for all others.")],
    percent: Annotated[str, typer.Argument(help="The commission, e.g. 12.5 (percent).")],
    payment_mode: Annotated[
        str, typer.Option("--mode", help="PREPAID, PAY_WITH_CREDIT or * (both).")
    ] = "*",
    effective_from: Annotated[str | None, typer.Option("--from", help="From this day on.")] = None,
    source: Annotated[str, typer.Option(help="Where the rate comes from.")] = "set by the seller",
) -> None:
    """Set the shop's own Kaspi commission for a category; it wins over the shipped table."""
    from decimal import Decimal, InvalidOperation

    from saudager.domains.analytics.records import CommissionRate

    try:
        rate_bp = int((Decimal(percent.replace(",", ".")) * 100).to_integral_value())
    except InvalidOperation:
        raise _fail(f"percent: expected a number such as 12.5, got {percent!r}") from None
    if not 0 <= rate_bp <= 10_000 or payment_mode not in {"*", "PREPAID", "PAY_WITH_CREDIT"}:
        raise _fail("percent must be 0–100, --mode PREPAID, PAY_WITH_CREDIT or *")
    services = _services()
    try:
        target = services.shop(shop)
        day = _day(effective_from, date(2000, 1, 1))
        with services.store.transaction() as tx:
            tx.set_commission_rate(
                target.id, CommissionRate(category, payment_mode, day, rate_bp, source)
            )
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    console.print(f"{category} ({payment_mode}): {rate_bp / 100:.2f} % from {day:%d.%m.%Y}.")


# ---- sales reports ---------------------------------------------------------------------------


@app.command(
    help="Sales reports: summary, abc, xyz, matrix, products, tops, profit-change, "
    "unit-economics, zhuma.\n\nsaudager report KIND SHOP [--from D --to D]"
)
def report(
    kind: Annotated[str, typer.Argument(help="The report.")],
    shop: Annotated[str, typer.Argument(help="Shop name or id.")],
    first: Annotated[str | None, typer.Option("--from", help="First day (shop-local).")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last day; default yesterday.")] = None,
    by: Annotated[str, typer.Option(help="ABC by revenue, profit or units.")] = "revenue",
    granularity: Annotated[
        str | None, typer.Option(help="Summary per day, week or month (default: one row).")
    ] = None,
    target_margin: Annotated[
        str, typer.Option(help="Unit economics: the margin to keep, e.g. 0.15.")
    ] = "0.15",
    xlsx: Annotated[Path | None, typer.Option(help="Also write the report to this XLSX.")] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the (first) table to this CSV.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    from decimal import Decimal, InvalidOperation

    from saudager.cli import report as show
    from saudager.domains.analytics.report_views import (
        ABC_BY,
        GRANULARITIES,
        ReportKind,
        build_report,
    )
    from saudager.domains.analytics.summary import Granularity

    if kind not in show.KINDS:
        raise _fail(f"unknown report {kind!r}: expected one of {', '.join(show.KINDS)}", code=2)
    if by not in ABC_BY:
        raise _fail(f"--by {by!r}: expected revenue, profit or units", code=2)
    if granularity not in (None, *GRANULARITIES):
        raise _fail(f"--granularity {granularity!r}: expected day, week or month", code=2)
    try:
        margin = Decimal(target_margin)
    except InvalidOperation:
        raise _fail(f"--target-margin {target_margin!r}: expected a share such as 0.15") from None
    services = _services()
    try:
        target = services.shop(shop)
        today = local_day(datetime.now(UTC), target.timezone)
        span = show.period(first, last, today)
        built = build_report(
            services.analytics, target, cast("ReportKind", kind), span, today,
            by=by, granularity=cast("Granularity", granularity),
            target_margin=margin,
        )  # fmt: skip
        tables: dict[str, Any] = dict(built.tables)
        extra: dict[str, Any] = built.facts()
        if kind == "zhuma":
            # Whether the shop may take part at all: the quality module's verdict.
            from saudager.domains.quality.views import zhuma_json

            eligibility = services.quality.report(target, today).zhuma
            extra["eligibility"] = zhuma_json(eligibility)
            if not as_json:
                console.print(f"[bold]{eligibility.sentence_ru}[/bold]")
    except (SaudagerError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    finally:
        services.close()
    if xlsx is not None or csv_path is not None:
        from saudager.adapters.exports import write_csv, write_xlsx

        if xlsx is not None:
            write_xlsx(xlsx, tables)
        if csv_path is not None and tables:
            write_csv(csv_path, next(iter(tables.values())))
    if as_json:
        print_json({"report": kind, "shop": target.name, "from": span[0].isoformat(),
                    "to": span[1].isoformat(), **extra, **show.tables_json(tables)})  # fmt: skip
        return
    for name, frame in tables.items():
        show.print_frame(frame, f"{target.name}: {name} ({span[0]:%d.%m.%Y}–{span[1]:%d.%m.%Y})")
    for key, value in extra.items():
        if key != "eligibility":  # already said in a sentence above
            console.print(f"{key}: {value}")


# ---- servers ---------------------------------------------------------------------------------


@app.command()
def simulator(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8765,
    seed: Annotated[int, typer.Option(help="Seed of the generated shop.")] = 42,
    token: Annotated[str, typer.Option(help="The token the simulator accepts.")] = "demo-token",  # noqa: S107 — a simulator's, not a secret
    days: Annotated[int, typer.Option(help="Days of history.")] = 180,
    orders_per_day: Annotated[int, typer.Option(help="Mean orders per day.")] = 150,
    fault_rate: Annotated[float, typer.Option(help="Share of requests that fail at random.")] = 0.0,
) -> None:
    """Serve a simulated Kaspi shop (the Shop API v2) on 127.0.0.1."""
    from saudager.adapters.kaspi.simulator import run_simulator

    console.print(f"Kaspi simulator on http://127.0.0.1:{port}/shop/api/v2 (token {token!r})")
    run_simulator(
        port=port,
        seed=seed,
        token=token,
        days=days,
        orders_per_day=orders_per_day,
        fault_rate=fault_rate,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Serve the web app."""
    from saudager.web.server import run_web

    settings = _settings()
    run_web(settings, host or settings.web_host, port or settings.web_port)


@app.command()
def worker(workers: Annotated[int, typer.Option(help="Worker threads.")] = 2) -> None:
    """Run the background jobs: the periodic sync of every shop."""
    from saudager.jobs.queue import make_queue

    queue = make_queue(_settings())
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


@app.command()
def demo(
    serve_app: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app after.")
    ] = True,
    days: Annotated[int, typer.Option(help="Days of history in the demo shop.")] = 180,
    orders_per_day: Annotated[int, typer.Option(help="Mean orders per day.")] = 150,
    port: Annotated[int | None, typer.Option(help="Port of the web app.")] = None,
) -> None:
    """Build a realistic demo shop from the simulator, sync it over HTTP, then serve the app."""
    from saudager.cli.demo import run_demo

    try:
        run_demo(
            _settings(), days=days, orders_per_day=orders_per_day, serve_app=serve_app, port=port
        )
    except SaudagerError as exc:
        raise _fail(str(exc)) from exc


def main() -> None:
    app()
