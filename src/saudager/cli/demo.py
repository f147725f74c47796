"""``saudager demo``: a realistic shop from the simulator, synced through the real client.

The simulator runs in a background thread of this process for as long as the demo does; the
shop is added, synced over loopback HTTP exactly as a real shop would be, the cabinet's returns
file is imported (the API does not say why an order came back), and the web app is served,
with buyer messages going to the local fake WhatsApp Cloud API (``cli/demo_messaging.py``).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx

from saudager.adapters.kaspi.simulator import SimConfig, running_simulator
from saudager.cli.demo_messaging import demo_messaging, demo_window
from saudager.cli.output import console
from saudager.cli.progress import sync_with_progress
from saudager.cli.quality import print_report
from saudager.core.errors import SaudagerError
from saudager.core.money import format_tenge
from saudager.core.timewindows import local_day
from saudager.domains.accounts.types import Role
from saudager.domains.messaging.windows import SendWindow
from saudager.settings import Settings
from saudager.web.server import run_web
from saudager.wiring import build_services

DEMO_SHOP = "demo"
DEMO_USER = "demo"


def tenge(tiyn: int | None) -> Decimal:
    return Decimal(tiyn or 0) / 100


DEMO_SEED = 42
#: The simulator is on this machine: no need to keep to Kaspi's polite request rate.
DEMO_REQUESTS_PER_SECOND = 1000.0
DEMO_PACKAGING_TIYN = 15_000


def run_demo(
    settings: Settings,
    *,
    days: int,
    orders_per_day: int,
    serve_app: bool,
    port: int | None,
    simulator_port: int = 0,
) -> None:
    # The demo seller has told Saudager its packaging cost (150 ₸ an order); without it every
    # profit would rightly be shown as unknown.
    analytics = replace(settings.analytics, packaging_per_order_tiyn=DEMO_PACKAGING_TIYN)
    settings = settings.model_copy(update={"sync_history_days": days, "analytics": analytics})
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            if any(shop.name == DEMO_SHOP for shop in tx.list_shops()):
                raise SaudagerError(
                    f"a shop named '{DEMO_SHOP}' already exists in {settings.home}: the demo "
                    "builds a fresh one. Remove that folder, or set SAUDAGER_HOME to another."
                )
        now = datetime.now(UTC).replace(microsecond=0)
        config = SimConfig(
            seed=DEMO_SEED,
            start=now - timedelta(days=days),
            end=now,
            orders_per_day=float(orders_per_day),
        )
        token = secrets.token_urlsafe(24)
        console.print(f"Generating a Kaspi shop: {days} days, about {orders_per_day} orders a day…")
        started = time.monotonic()
        with running_simulator(config, token, now, port=simulator_port) as simulator:
            console.print(
                f"Kaspi simulator serving at {simulator.base_url} "
                f"({time.monotonic() - started:.1f} s)"
            )
            shop = services.add_shop(
                DEMO_SHOP, token, simulator.base_url, None,
                requests_per_second=DEMO_REQUESTS_PER_SECOND,
            )  # fmt: skip
            # The demo's own user owns the shop; the web app logs it in without a form.
            demo_password = secrets.token_urlsafe(24)
            demo_user = services.accounts.add_user(DEMO_USER, demo_password, display_name="Demo")
            services.accounts.grant(demo_user.id, shop.id, Role.OWNER)
            with services.kaspi_client(shop) as client:
                result = sync_with_progress(services, shop, client)
            console.print(
                f"Synced {result.orders_seen:,} orders ({result.products_written} products, "
                f"{result.reviews_seen} reviews) in {time.monotonic() - started:.1f} s"
            )
            returns_file = settings.home / "demo-cabinet-returns.csv"
            returns_file.write_bytes(
                httpx.get(f"{simulator.admin_url}/returns.csv", timeout=60).content
            )
            report = services.imports.import_files(shop, [returns_file], "returns")
            console.print(f"Imported the cabinet's returns file: {report}")
            products_file = settings.home / "demo-products.csv"
            products_file.write_bytes(
                httpx.get(f"{simulator.admin_url}/products.csv", timeout=60).content
            )
            report = services.imports.import_files(shop, [products_file], "products")
            console.print(f"Imported the seller's price list (purchase costs): {report}")
            quality = services.quality.report(shop, local_day(now, shop.timezone))
            print_report(quality)
            console.print(quality.sanctions.sentence_ru)
            today = local_day(now, shop.timezone)
            month = (today - timedelta(days=30), today - timedelta(days=1))
            sales = services.analytics.sales(shop)
            [summary] = services.analytics.summary(sales, month, None).iter_rows(named=True)
            console.print(
                f"За 30 дней: выручка {format_tenge(tenge(summary['revenue_tiyn']))}, "
                f"прибыль {format_tenge(tenge(summary['profit_tiyn']))} "
                f"(маржа {summary['margin'] or 0:.1%}) — saudager report summary {DEMO_SHOP}"
            )
            default = SendWindow(
                settings.messaging.window_start, settings.messaging.window_end, shop.timezone
            )
            window = demo_window(datetime.now(UTC), shop.timezone, default)
            if window is not None:
                services.messaging_setup.set_window(shop, *window)
                console.print(
                    f"The default send window ({default.start:%H:%M}–{default.end:%H:%M} in the "
                    f"shop's zone) is shut now: the demo shop writes {window[0]:%H:%M}–"
                    f"{window[1]:%H:%M} instead, to show messages going out (Сообщения → "
                    "Управление)."
                )
            services.close()
            if serve_app:
                web_port = port or settings.web_port
                app_url = f"http://127.0.0.1:{web_port}"
                with demo_messaging(settings, shop, app_url) as (demo_settings, dispatcher):
                    dispatcher.start()
                    console.print(
                        "Buyer messages go to a local fake WhatsApp Cloud API: planned for the "
                        "last days' orders, sent in the shop's window, statuses and replies "
                        "coming back by signed webhooks (Сообщения page)."
                    )
                    console.print(
                        f"\n[bold green]Saudager is ready:[/bold green] "
                        f"http://{settings.web_host}:{web_port}/  (Ctrl+C to stop)"
                    )
                    run_web(
                        demo_settings, settings.web_host, web_port,
                        demo_login=(DEMO_USER, demo_password),
                    )  # fmt: skip
    finally:
        services.close()
