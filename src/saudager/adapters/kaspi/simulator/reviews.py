"""Buyers' reviews of the shop: most completed orders get none, those that do are mostly 5 ★."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from saudager.adapters.kaspi.simulator.ids import opaque_id
from saudager.adapters.kaspi.simulator.reference_data import REVIEW_TEXTS
from saudager.adapters.kaspi.simulator.shoptime import DAY, HOUR
from saudager.adapters.kaspi.simulator.timeline import RETURN_QUALITY, OrderPlan

RATINGS = (1, 2, 3, 4, 5)
# J-shaped, as marketplace ratings are: many fives, some angry ones, few in between.
USUAL_WEIGHTS = (0.06, 0.025, 0.04, 0.12, 0.755)
# A parcel handed over late often arrives late, and buyers say so.
LATE_WEIGHTS = (0.1, 0.05, 0.08, 0.17, 0.6)
QUALITY_RETURN_WEIGHTS = (0.55, 0.25, 0.12, 0.05, 0.03)
# Kaspi checks a review for about a day before publishing it.
MODERATION_MIN, MODERATION_MAX = 20 * HOUR, 30 * HOUR


@dataclass(frozen=True, slots=True)
class ReviewPlan:
    kaspi_id: str
    order_index: int  # position of the order in Shop.orders
    rating: int
    comment: str
    user_name: str
    created_ms: int
    approved_ms: int
    deleted_ms: int | None  # the buyer deleted it: it vanishes from then on


def generate_reviews(
    rng: random.Random, orders: Sequence[OrderPlan], share: float, deleted_share: float
) -> list[ReviewPlan]:
    """Reviews of completed orders (some later returned), sorted by approval time."""
    reviews: list[ReviewPlan] = []
    for index, order in enumerate(orders):
        if order.completed_ms is None or rng.random() >= share:
            continue
        quality_return = order.return_reason == RETURN_QUALITY
        if quality_return and order.return_requested_ms is not None:
            created = order.return_requested_ms + int(rng.expovariate(1 / (12 * HOUR)))
            weights = QUALITY_RETURN_WEIGHTS
        else:
            created = order.completed_ms + min(int(rng.expovariate(1 / (36 * HOUR))), 20 * DAY)
            late = (
                order.handover_ms is not None
                and order.handover_deadline_ms is not None
                and order.handover_ms > order.handover_deadline_ms
            )
            weights = LATE_WEIGHTS if late else USUAL_WEIGHTS
        rating = rng.choices(RATINGS, weights=weights)[0]
        approved = created + rng.randint(MODERATION_MIN, MODERATION_MAX)
        deleted = approved + rng.randint(HOUR, 30 * DAY) if rng.random() < deleted_share else None
        customer = order.customer
        reviews.append(
            ReviewPlan(
                kaspi_id=opaque_id(f"{order.code}:review"),
                order_index=index,
                rating=rating,
                comment=rng.choice(REVIEW_TEXTS[rating]),
                user_name=f"{customer.first_name} {customer.last_name[0]}.",
                created_ms=created,
                approved_ms=approved,
                deleted_ms=deleted,
            )
        )
    reviews.sort(key=lambda review: review.approved_ms)
    return reviews
