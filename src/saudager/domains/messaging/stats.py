"""Proof it works: what each template did, and whether asking for reviews brings reviews.

Per template (:func:`template_stats`), over the messages sent with it:

- **sent** — taken by the provider; **delivered** — its latest status is ``delivered`` or
  ``read`` (a read message was delivered, even when the ``delivered`` webhook never came);
  **read** — latest status ``read``; **failed** — latest status ``failed``;
- **replied** — the buyer wrote back to it; **complaints** and **opt-outs** — replies triaged
  as such (``triage``).

Review conversion (:func:`conversion`): the share of delivered orders with a Kaspi review of the
order dated from delivery to 14 days after it (inclusive). Only orders delivered at least 14
days before ``as_of`` count, so every order had its full 14 days. The messaged group is the
orders that got a review request; the holdout group is the orders whose buyer is in the
holdout (:func:`in_holdout`) and so got no message 2 although they would have had a review
request — orders on the service branch (complaint, return, cancellation, late handover) are in
neither group.

The holdout is a share of buyers (default 10 %): a buyer is in it when the first 8 bytes of
SHA-256 of ``"{shop_id}:{phone}"``, read as a big-endian integer, fall below ``share × 2⁶⁴``.
The same buyer of the same shop is always in the same group, across runs and machines.

The difference messaged − holdout comes with a 95 % confidence interval by Newcombe's hybrid
score method (Newcombe 1998, "Interval estimation for the difference between independent
proportions", method 10), built from the two Wilson score intervals: with ``p₁, p₂`` the
shares and ``(l₁, u₁), (l₂, u₂)`` their Wilson intervals, the difference ``d = p₁ − p₂`` lies in
``[d − √((p₁−l₁)² + (u₂−p₂)²), d + √((u₁−p₁)² + (p₂−l₂)²)]``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from saudager.domains.messaging.provider import DeliveryStatus

REVIEW_WINDOW = timedelta(days=14)
DEFAULT_HOLDOUT_SHARE = Decimal("0.10")
#: The two-sided 95 % normal quantile.
Z_95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class MessageOutcome:
    """One message sent with ``template``, as its status webhooks and replies left it."""

    template: str
    status: DeliveryStatus | None  # the latest status by rank; None: no webhook yet
    replied: bool = False
    complained: bool = False
    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class TemplateStats:
    template: str
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    replied: int = 0
    complaints: int = 0
    opt_outs: int = 0


def template_stats(outcomes: Iterable[MessageOutcome]) -> list[TemplateStats]:
    """Counts per template, sorted by template."""
    rows: dict[str, dict[str, int]] = {}
    for o in outcomes:
        row = rows.setdefault(
            o.template,
            dict.fromkeys(
                ("sent", "delivered", "read", "failed", "replied", "complaints", "opt_outs"), 0
            ),
        )
        row["sent"] += 1
        row["delivered"] += o.status in (DeliveryStatus.DELIVERED, DeliveryStatus.READ)
        row["read"] += o.status is DeliveryStatus.READ
        row["failed"] += o.status is DeliveryStatus.FAILED
        row["replied"] += o.replied
        row["complaints"] += o.complained
        row["opt_outs"] += o.opted_out
    return [TemplateStats(template, **rows[template]) for template in sorted(rows)]


def in_holdout(shop_id: int, phone: str, share: Decimal = DEFAULT_HOLDOUT_SHARE) -> bool:
    """Whether the buyer ``phone`` of the shop gets no message 2 (see the module's text)."""
    if not Decimal(0) <= share <= Decimal(1):
        raise ValueError("the holdout share is between 0 and 1")
    digest = hashlib.sha256(f"{shop_id}:{phone}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < share * 2**64


@dataclass(frozen=True, slots=True)
class DeliveredOrder:
    order_code: str
    delivered_at: datetime
    messaged: bool  # True: got a review request; False: holdout
    reviewed_at: datetime | None = None  # the order's first Kaspi review, if any


def converted(order: DeliveredOrder) -> bool:
    """A review from delivery to 14 days after it, both ends included."""
    return (
        order.reviewed_at is not None
        and order.delivered_at <= order.reviewed_at <= order.delivered_at + REVIEW_WINDOW
    )


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of ``successes / n``."""
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError("need 0 ≤ successes ≤ n and n > 0")
    p = successes / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denominator = 1 + z2 / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``x1/n1 − x2/n2``."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    return (
        d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
        d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2),
    )


@dataclass(frozen=True, slots=True)
class Conversion:
    messaged_orders: int
    messaged_reviews: int
    holdout_orders: int
    holdout_reviews: int
    #: messaged share − holdout share and its 95 % interval; None when a group is empty.
    difference: float | None
    interval: tuple[float, float] | None

    @property
    def messaged_share(self) -> float | None:
        return self.messaged_reviews / self.messaged_orders if self.messaged_orders else None

    @property
    def holdout_share(self) -> float | None:
        return self.holdout_reviews / self.holdout_orders if self.holdout_orders else None


def conversion(orders: Sequence[DeliveredOrder], as_of: datetime) -> Conversion:
    """Review conversion of the messaged group against the holdout (see the module's text)."""
    ripe = [o for o in orders if o.delivered_at + REVIEW_WINDOW <= as_of]
    m = [o for o in ripe if o.messaged]
    h = [o for o in ripe if not o.messaged]
    mx, hx = sum(map(converted, m)), sum(map(converted, h))
    if not m or not h:
        return Conversion(len(m), mx, len(h), hx, None, None)
    return Conversion(
        len(m), mx, len(h), hx, mx / len(m) - hx / len(h), newcombe_interval(mx, len(m), hx, len(h))
    )
