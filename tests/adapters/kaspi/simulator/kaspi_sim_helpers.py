"""Shared helpers of the simulator tests: the test token, a small shop, paging through lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig

TOKEN = "sim-test-token"
JSON_API = "application/vnd.api+json"
HEADERS = {"X-Auth-Token": TOKEN, "Accept": JSON_API, "Content-Type": JSON_API}
# Simulated "now": 00:00 UTC = 05:00 in Almaty, so the night's orders still wait to be accepted.
END = datetime(2026, 3, 2, tzinfo=UTC)
DAY_MS = 86_400_000
STATES = ("NEW", "SIGN_REQUIRED", "PICKUP", "DELIVERY", "KASPI_DELIVERY", "ARCHIVE")


def small_config(seed: int = 11, days: int = 40, orders_per_day: float = 120.0) -> SimConfig:
    return SimConfig(
        seed=seed, start=END - timedelta(days=days), end=END, orders_per_day=orders_per_day
    )


def api_client(sim: RunningSimulator, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=sim.base_url + "/", headers=HEADERS, **kwargs)


def list_params(state: str, ge: int, le: int | None = None, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "page[number]": 0,
        "page[size]": 100,
        "filter[orders][state]": state,
        "filter[orders][creationDate][$ge]": ge,
    }
    if le is not None:
        params["filter[orders][creationDate][$le]"] = le
    params.update(extra)
    return params


def now_ms(sim: RunningSimulator) -> int:
    return sim.simulation.world.now_ms


def all_orders(
    client: httpx.Client, state: str, ge: int, le: int, **extra: Any
) -> list[dict[str, Any]]:
    """Every page of one listing."""
    found: list[dict[str, Any]] = []
    page = 0
    while True:
        params = list_params(state, ge, le, **extra) | {"page[number]": page}
        response = client.get("orders", params=params)
        assert response.status_code == 200, response.text
        document = response.json()
        found.extend(document["data"])
        page += 1
        if page >= document["meta"]["pageCount"]:
            return found
