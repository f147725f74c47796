"""A realistic Kaspi shop drawn from a seed: products, buyers, orders and their lives, reviews.

Pure and deterministic: the same ``SimConfig`` gives the same shop on any machine (random
streams are seeded from strings, which Python hashes with SHA-512, not with the per-process
hash seed). No clock is read; the period is given explicitly.
"""

from __future__ import annotations

import bisect
import random
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from saudager.adapters.kaspi.simulator.catalog import Catalog, generate_catalog
from saudager.adapters.kaspi.simulator.customers import Customer, CustomerBook
from saudager.adapters.kaspi.simulator.reviews import ReviewPlan, generate_reviews
from saudager.adapters.kaspi.simulator.shoptime import (
    WEEKDAY_FACTORS,
    growth_factor,
    local_days,
    poisson,
    random_time_of_day,
)
from saudager.adapters.kaspi.simulator.timeline import LifecycleShares, OrderPlan, OrderPlanner
from saudager.adapters.kaspi.simulator.volume import DEFAULT_ZHUMA_PERIODS, zhuma_factor
from saudager.core.timewindows import DEFAULT_TIMEZONE, to_epoch_ms, zone

# Kaspi order codes grow with time across the whole marketplace: between two orders of one
# shop, many other shops' orders were numbered.
CODE_STEP_MIN, CODE_STEP_MAX = 40, 1_500


@dataclass(frozen=True, slots=True)
class SimConfig:
    """What shop to simulate. Shares are fractions (0.06 = 6 %)."""

    seed: int
    start: datetime  # aware; first instant an order may be created
    end: datetime  # aware; orders are created before it
    sku_count: int = 300
    orders_per_day: float = 150.0
    late_handover_share: float = 0.06  # of Kaspi Delivery orders handed over
    seller_cancel_share: float = 0.02  # of all orders
    buyer_cancel_share: float = 0.05  # of all orders, by the buyer or Kaspi
    return_share: float = 0.02  # of completed orders
    quality_return_share: float = 0.4  # of returns
    review_share: float = 0.35  # of completed orders
    review_deleted_share: float = 0.03  # of reviews, deleted by the buyer later
    repeat_buyer_share: float = 0.22  # of orders, placed by someone who bought before
    zhuma_periods: Sequence[tuple[date, date]] = field(default=DEFAULT_ZHUMA_PERIODS)
    timezone: str = DEFAULT_TIMEZONE
    merchant_id: str = "30100500"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("SimConfig.start and .end must be aware datetimes")
        if self.start >= self.end:
            raise ValueError("SimConfig.start must be before .end")
        if self.sku_count < 1:
            raise ValueError("SimConfig.sku_count must be at least 1")
        if self.orders_per_day < 0:
            raise ValueError("SimConfig.orders_per_day cannot be negative")
        shares = (
            self.late_handover_share, self.seller_cancel_share, self.buyer_cancel_share,
            self.return_share, self.quality_return_share, self.review_share,
            self.review_deleted_share, self.repeat_buyer_share,
        )  # fmt: skip
        if not all(0.0 <= share <= 1.0 for share in shares):
            raise ValueError("SimConfig shares must be between 0 and 1")
        if self.seller_cancel_share + self.buyer_cancel_share > 1.0:
            raise ValueError("seller and buyer cancellation shares add up to more than 1")
        zone(self.timezone)


@dataclass(frozen=True, slots=True)
class Shop:
    """The generated shop. ``orders`` are sorted by creation time, and so are their codes."""

    config: SimConfig
    catalog: Catalog
    customers: tuple[Customer, ...]
    orders: tuple[OrderPlan, ...]
    created_ms: array[int]  # created_ms[i] == orders[i].created_ms, for bisecting
    codes: array[int]  # codes[i] == orders[i].code, increasing
    reviews: tuple[ReviewPlan, ...]  # sorted by approval time
    review_approved_ms: array[int]

    def order_index(self, code: int) -> int | None:
        position = bisect.bisect_left(self.codes, code)
        if position < len(self.codes) and self.codes[position] == code:
            return position
        return None


def generate_shop(config: SimConfig) -> Shop:
    seed = config.seed
    catalog = generate_catalog(random.Random(f"{seed}:catalog"), config.sku_count)
    buyers = CustomerBook(
        random.Random(f"{seed}:customers"), config.merchant_id, config.repeat_buyer_share
    )
    planner = OrderPlanner(random.Random(f"{seed}:orders"), catalog, buyers, _shares(config))
    volume_rng = random.Random(f"{seed}:volume")
    code_rng = random.Random(f"{seed}:codes")
    code = 100_000_000 + code_rng.randrange(100) * 1_000_000
    start_ms, end_ms = to_epoch_ms(config.start), to_epoch_ms(config.end)
    days = local_days(config.start, config.end, config.timezone)
    orders: list[OrderPlan] = []
    for day_index, day in enumerate(days):
        zhuma, in_zhuma = zhuma_factor(day.day, config.zhuma_periods)
        mean = (
            config.orders_per_day
            * WEEKDAY_FACTORS[day.weekday]
            * growth_factor(day_index, len(days))
            * zhuma
        )
        moments = sorted(
            day.midnight_ms + random_time_of_day(volume_rng)
            for _ in range(poisson(volume_rng, mean))
        )
        for created in moments:
            # Whole days are drawn so that a period cut mid-day keeps the day's rhythm.
            if start_ms <= created < end_ms:
                code += code_rng.randint(CODE_STEP_MIN, CODE_STEP_MAX)
                orders.append(planner.plan(code, created, day.offset_ms, in_zhuma))
    reviews = generate_reviews(
        random.Random(f"{seed}:reviews"), orders, config.review_share, config.review_deleted_share
    )
    return Shop(
        config=config,
        catalog=catalog,
        customers=tuple(buyers.customers),
        orders=tuple(orders),
        created_ms=array("q", (order.created_ms for order in orders)),
        codes=array("q", (order.code for order in orders)),
        reviews=tuple(reviews),
        review_approved_ms=array("q", (review.approved_ms for review in reviews)),
    )


def _shares(config: SimConfig) -> LifecycleShares:
    return LifecycleShares(
        late_handover=config.late_handover_share,
        seller_cancel=config.seller_cancel_share,
        buyer_cancel=config.buyer_cancel_share,
        returned=config.return_share,
        quality_return=config.quality_return_share,
    )
