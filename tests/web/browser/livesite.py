"""A real Saudager server for the browser: a shop synced from the Kaspi simulator through the
real client (as ``saudager demo`` builds it, only smaller), its owner with a password, and the
app served by Uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from saudager.adapters.kaspi.simulator import SimConfig, running_simulator
from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import Services, build_services
from served import serving

SEED = 7
DAYS = 30
ORDERS_PER_DAY = 40
SKU_COUNT = 60
PACKAGING_TIYN = 15_000
USERNAME = "seller"
PASSWORD = "browser tests' password"


@dataclass(frozen=True, slots=True)
class LiveSite:
    base_url: str  # http://127.0.0.1:PORT
    app: FastAPI
    services: Services
    shop: Shop
    username: str
    password: str

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @property
    def shop_path(self) -> str:
        return f"/shops/{self.shop.id}"


def build_shop(home: Path) -> tuple[Services, Shop]:
    """A fresh home with one shop synced from the simulator, its returns and purchase costs
    imported from the simulated cabinet's files, and its owner ``USERNAME``."""
    settings = load_settings(None, home=home)
    analytics = replace(settings.analytics, packaging_per_order_tiyn=PACKAGING_TIYN)
    settings = settings.model_copy(update={"sync_history_days": DAYS, "analytics": analytics})
    services = build_services(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    config = SimConfig(
        seed=SEED, start=now - timedelta(days=DAYS), end=now,
        orders_per_day=float(ORDERS_PER_DAY), sku_count=SKU_COUNT,
    )  # fmt: skip
    token = secrets.token_urlsafe(24)
    with running_simulator(config, token, now) as simulator:
        shop = services.add_shop(
            "Магазин браузера", token, simulator.base_url, None, requests_per_second=1000.0
        )
        with services.kaspi_client(shop) as client:
            services.sync.sync(shop, client, datetime.now(UTC))
        for kind in ("returns", "products"):
            path = home / f"cabinet-{kind}.csv"
            path.write_bytes(httpx.get(f"{simulator.admin_url}/{kind}.csv", timeout=60).content)
            services.imports.import_files(shop, [path], kind)
    user = services.accounts.add_user(USERNAME, PASSWORD, display_name="Продавец")
    services.accounts.grant(user.id, shop.id, Role.OWNER)
    return services, shop


@contextmanager
def live_site(home: Path) -> Iterator[LiveSite]:
    services, shop = build_shop(home)
    app = create_app(services)
    try:
        with serving(app) as base_url:
            yield LiveSite(base_url, app, services, shop, USERNAME, PASSWORD)
    finally:
        services.close()
