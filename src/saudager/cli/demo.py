"""``saudager demo``: a realistic shop from the simulator, synced through the real client.

The simulator runs in a background thread of this process for as long as the demo does; the
shop is added, synced over loopback HTTP exactly as a real shop would be, the cabinet's returns
file is imported (the API does not say why an order came back), and the web app is served.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime, timedelta

import httpx

from saudager.adapters.kaspi.simulator import SimConfig, running_simulator
from saudager.cli.output import console
from saudager.cli.progress import sync_with_progress
from saudager.cli.quality import print_report
from saudager.core.errors import SaudagerError
from saudager.core.timewindows import local_day
from saudager.settings import Settings
from saudager.web.server import run_web
from saudager.wiring import build_services

DEMO_SHOP = "demo"
DEMO_SEED = 42
#: The simulator is on this machine: no need to keep to Kaspi's polite request rate.
DEMO_REQUESTS_PER_SECOND = 1000.0


def run_demo(
    settings: Settings,
    *,
    days: int,
    orders_per_day: int,
    serve_app: bool,
    port: int | None,
    simulator_port: int = 0,
) -> None:
    settings = settings.model_copy(update={"sync_history_days": days})
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
            quality = services.quality.report(shop, local_day(now, shop.timezone))
            print_report(quality)
            console.print(quality.sanctions.sentence_ru)
            services.close()
            if serve_app:
                web_port = port or settings.web_port
                console.print(
                    f"\n[bold green]Saudager is ready:[/bold green] "
                    f"http://{settings.web_host}:{web_port}/  (Ctrl+C to stop)"
                )
                run_web(settings, settings.web_host, web_port)
    finally:
        services.close()
