"""The simulator's truth, for comparing with what a sync stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig
from saudager.core.timewindows import from_epoch_ms

TOKEN = "sync-test-token"


def sim_config(
    end: datetime, seed: int = 21, days: int = 40, orders_per_day: float = 60.0
) -> SimConfig:
    return SimConfig(
        seed=seed, start=end - timedelta(days=days), end=end, orders_per_day=orders_per_day,
        sku_count=40,
    )  # fmt: skip


def sim_now(sim: RunningSimulator) -> datetime:
    return from_epoch_ms(sim.simulation.world.now_ms)


def truth(sim: RunningSimulator) -> dict[str, tuple[str, str]]:
    """Every order that exists at the simulator's now, with its state and status."""
    world = sim.simulation.world
    return {
        str(plan.code): world.state_status(index)
        for index, plan in enumerate(world.shop.orders)
        if plan.created_ms <= world.now_ms
    }


def visible_review_count(sim: RunningSimulator, window_days: int) -> int:
    world = sim.simulation.world
    since = world.now_ms - window_days * 86_400_000
    return sum(
        1
        for review in world.shop.reviews
        if world.review_visible(review) and review.approved_ms >= since
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
