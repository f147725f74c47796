"""The quality indicators' vocabulary: names, rules, facts, values.

An indicator is computed from *facts*: one row per order, review or return that may count in it,
with the instant that places it in a window and whether it counts in the numerator, the
denominator or both. Facts are built once from the store (``facts.py``); every indicator, its
drill-down, its history and its outlook are counts of facts in windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import polars as pl


class Indicator(StrEnum):
    RATING = "rating"
    SELLER_CANCELLATIONS = "seller_cancellations"
    LATE_HANDOVERS = "late_handovers"
    QUALITY_RETURNS = "quality_returns"
    REVIEWS_BALANCE = "reviews_balance"  # Kaspi Жұма entry only


#: The four indicators whose breach brings a sanction.
SANCTIONED: tuple[Indicator, ...] = (
    Indicator.RATING,
    Indicator.SELLER_CANCELLATIONS,
    Indicator.LATE_HANDOVERS,
    Indicator.QUALITY_RETURNS,
)


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"  # worse than Kaspi's "good" level, not past the mark
    CRITICAL = "critical"  # past the mark: a violation
    NOT_ENOUGH_DATA = "not_enough_data"


class RefKind(StrEnum):
    ORDER = "order"
    REVIEW = "review"
    RETURN = "return"


class CancellationAnchor(StrEnum):
    """Which date places a cancelled order in the 30-day window (Kaspi does not say)."""

    CREATED = "created"  # the order's creation: numerator and denominator are one cohort
    CANCELLED = "cancelled"  # the cancellation itself


class ReturnAnchor(StrEnum):
    """Which date places a quality return in the 30-day window (Kaspi does not say)."""

    RETURNED = "returned"  # the return itself (default): a return counts when it happens
    COMPLETED = "completed"  # its order's completion: one cohort with the denominator


@dataclass(frozen=True, slots=True)
class QualityRules:
    """Every threshold and choice, as settings (defaults: DOMAIN.md, the stricter where two)."""

    rating_window_days: int = 90
    rating_critical_below: Decimal = Decimal("4.0")
    rating_good: Decimal = Decimal("4.6")
    rating_min_ratings: int = 3
    review_moderation_days: int = 1  # a review counts from approval; without one, created + this
    cancellations_window_days: int = 30
    cancellations_critical_from: Decimal = Decimal("3")  # percent; ≥ this is a violation
    cancellations_good: Decimal = Decimal("1")
    cancellation_anchor: CancellationAnchor = CancellationAnchor.CREATED
    return_anchor: ReturnAnchor = ReturnAnchor.RETURNED
    seller_fault_reasons: frozenset[str] = frozenset(
        {"MERCHANT_OUT_OF_STOCK", "BUYER_CANCELLATION_BY_MERCHANT", "BUYER_NOT_REACHABLE",
         "PRODUCT_UNDERWEIGHT", "OUT_OF_STOCK"}
    )  # fmt: skip
    late_window_days: int = 30
    late_critical_from: Decimal = Decimal("10")
    late_good: Decimal = Decimal("5")
    returns_window_days: int = 30
    returns_critical_from: Decimal = Decimal("2")
    returns_good: Decimal = Decimal("1")
    balance_window_days: int = 90
    negative_at_most: int = 3  # a rating ≤ this is negative
    positive_at_least: int = 4
    min_orders_30_days: int = 10
    min_violations_for_data: int = 3  # after the third violation indicators count regardless
    min_orders_window_days: int = 30  # the "10 orders in the last 30 days" window (whole days)


@dataclass(frozen=True, slots=True)
class Fact:
    """One order, review or return that may count in one indicator."""

    indicator: Indicator
    ref_kind: RefKind
    ref: str  # order code, review key or return key
    at: datetime  # aware UTC: the instant that places it in a window
    numerator: bool
    denominator: bool
    weight: int = 1  # the rating's stars for RATING facts; 1 elsewhere
    note: str | None = None  # why it counts: "seller-fault MERCHANT_OUT_OF_STOCK", "late by 3 h"
    gone_at: datetime | None = None  # aware UTC: from then on it no longer counts (see GONE_AT)


#: The facts frame: one row per ``Fact``, the same columns. Indicators, drill-downs, daily
#: history and the outlook are all computed from it with Polars (a million orders in well under a
#: second); ``Fact`` objects are made only for the rows a drill-down shows.
FACTS_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.String(),
    "ref_kind": pl.String(),
    "ref": pl.String(),
    "at": pl.Datetime("us", "UTC"),
    "numerator": pl.Boolean(),
    "denominator": pl.Boolean(),
    "weight": pl.Int32(),
    "note": pl.String(),
}

#: The one column ``build_facts`` adds beyond ``FACTS_SCHEMA``: the instant from which a fact no
#: longer counts, null when it never stops (a review the buyer deleted; a review of an item that
#: was returned). A fact counts in a window ``[start, end)`` when ``start <= at < end`` and
#: ``gone_at`` is null or ``gone_at >= end``: a review deleted on the window's last day is out,
#: one deleted the day after was still in. Frames without the column are read as all-null.
GONE_AT = "gone_at"

#: ``FACTS_SCHEMA`` plus ``gone_at``: what ``build_facts`` returns.
FACTS_FRAME_SCHEMA: dict[str, pl.DataType] = {**FACTS_SCHEMA, GONE_AT: pl.Datetime("us", "UTC")}


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    indicator: Indicator
    as_of: date
    window_start: datetime  # aware UTC, inclusive
    window_end: datetime  # aware UTC, exclusive
    numerator: int  # for RATING: the sum of stars; for REVIEWS_BALANCE: negatives
    denominator: int  # for RATING: the number of ratings; for REVIEWS_BALANCE: positives
    value: Decimal | None  # percent, stars; None when there is nothing to divide
    status: Status
    critical_mark: Decimal
    good_level: Decimal | None
    details: dict[str, int] = field(default_factory=dict)  # e.g. stars histogram
