"""Shared by the client tests: the token, a small shop, a recorder for the client's waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saudager.adapters.kaspi.simulator import SimConfig

TOKEN = "client-test-token"
END = datetime(2026, 3, 2, tzinfo=UTC)


def config(seed: int = 3, days: int = 30, orders_per_day: float = 60.0) -> SimConfig:
    return SimConfig(
        seed=seed, start=END - timedelta(days=days), end=END, orders_per_day=orders_per_day,
        sku_count=60,
    )  # fmt: skip


class RecordedSleeps(list[float]):
    """Stands in for ``time.sleep``: the client's waits are recorded, not slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
