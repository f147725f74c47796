"""Orders, reviews and returns → the facts frame every indicator is counted from.

One row per thing that may count in one indicator (``types.FACTS_FRAME_SCHEMA``), built with
Polars expressions over three input frames, so a store can feed frames straight from SQL and
skip the dataclasses (``facts_from_frames``). ``docs/indicators.md`` states each rule; the
choices Kaspi does not document are marked "we chose" there.

Summary of what becomes a fact:

- RATING — each review with 1–5 stars, at its approval (else ``created_at`` +
  ``review_moderation_days``); weight = stars. ``gone_at`` = the earlier of its deletion and
  the first return of its order (of its SKU, when the review names one).
- SELLER_CANCELLATIONS — each order, denominator at creation; a CANCELLED order with a
  seller-fault reason is the numerator too, at creation or at ``cancelled_at`` per
  ``rules.cancellation_anchor`` (then it is a second row). CANCELLING is not final: not yet.
- LATE_HANDOVERS — each Kaspi Delivery order handed over, at ``handed_over_at``; numerator when
  later than ``handover_deadline``.
- QUALITY_RETURNS — each completed order, denominator at ``completed_at``; each order with a
  ``quality`` return, numerator at its first such return. ``unknown`` is not quality.
- REVIEWS_BALANCE — each review placed as for RATING: ≤ ``negative_at_most`` stars numerator,
  ≥ ``positive_at_least`` denominator, others neither (and left out); ``gone_at`` = deletion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from saudager.domains.orders.types import Order, OrderStatus, Return, ReturnReason, Review
from saudager.domains.quality.types import (
    FACTS_FRAME_SCHEMA,
    GONE_AT,
    CancellationAnchor,
    Fact,
    Indicator,
    QualityRules,
    RefKind,
    ReturnAnchor,
)

__all__ = [
    "ORDERS_FRAME_SCHEMA",
    "RETURNS_FRAME_SCHEMA",
    "REVIEWS_FRAME_SCHEMA",
    "build_facts",
    "facts_frame",
    "facts_from_frames",
    "orders_frame",
    "returns_frame",
    "reviews_frame",
]

_UTC_US = pl.Datetime("us", "UTC")

#: The order columns the facts need (``Order`` fields of the same names).
ORDERS_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "created_at": _UTC_US,
    "status": pl.String(),
    "is_kaspi_delivery": pl.Boolean(),
    "handover_deadline": _UTC_US,
    "handed_over_at": _UTC_US,
    "completed_at": _UTC_US,
    "cancelled_at": _UTC_US,
    "cancellation_reason": pl.String(),
}

#: The review columns the facts need (``Review`` fields of the same names).
REVIEWS_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "rating": pl.Int32(),
    "created_at": _UTC_US,
    "approved_at": _UTC_US,
    "deleted_at": _UTC_US,
    "order_code": pl.String(),
    "sku": pl.String(),
}

#: The return columns the facts need (``Return`` fields of the same names).
RETURNS_FRAME_SCHEMA: dict[str, pl.DataType] = {
    "key": pl.String(),
    "order_code": pl.String(),
    "sku": pl.String(),
    "reason": pl.String(),
    "created_at": _UTC_US,
}


def orders_frame(orders: Sequence[Order]) -> pl.DataFrame:
    """The columns of ``ORDERS_FRAME_SCHEMA`` from ``Order`` objects."""
    return pl.DataFrame(
        {name: [getattr(o, name) for o in orders] for name in ORDERS_FRAME_SCHEMA},
        schema=ORDERS_FRAME_SCHEMA,
    )


def reviews_frame(reviews: Sequence[Review]) -> pl.DataFrame:
    """The columns of ``REVIEWS_FRAME_SCHEMA`` from ``Review`` objects."""
    return pl.DataFrame(
        {name: [getattr(r, name) for r in reviews] for name in REVIEWS_FRAME_SCHEMA},
        schema=REVIEWS_FRAME_SCHEMA,
    )


def returns_frame(returns: Sequence[Return]) -> pl.DataFrame:
    """The columns of ``RETURNS_FRAME_SCHEMA`` from ``Return`` objects."""
    return pl.DataFrame(
        {name: [getattr(r, name) for r in returns] for name in RETURNS_FRAME_SCHEMA},
        schema=RETURNS_FRAME_SCHEMA,
    )


def facts_frame(facts: Iterable[Fact]) -> pl.DataFrame:
    """A facts frame (``FACTS_FRAME_SCHEMA``) of ``Fact`` objects: for tests and hand-made cases."""
    rows = list(facts)
    return pl.DataFrame(
        {name: [getattr(f, name) for f in rows] for name in FACTS_FRAME_SCHEMA},
        schema=FACTS_FRAME_SCHEMA,
    )


def build_facts(
    orders: Sequence[Order],
    reviews: Sequence[Review],
    returns: Sequence[Return],
    rules: QualityRules,
) -> pl.DataFrame:
    """The facts frame (``FACTS_FRAME_SCHEMA``) of one shop's orders, reviews and returns."""
    return facts_from_frames(
        orders_frame(orders), reviews_frame(reviews), returns_frame(returns), rules
    )


def facts_from_frames(
    orders: pl.DataFrame, reviews: pl.DataFrame, returns: pl.DataFrame, rules: QualityRules
) -> pl.DataFrame:
    """``build_facts`` from frames with (at least) the ``*_FRAME_SCHEMA`` columns."""
    if rules.negative_at_most >= rules.positive_at_least:
        raise ValueError(
            "negative_at_most must be below positive_at_least: a review cannot be both "
            f"(got {rules.negative_at_most} and {rules.positive_at_least})"
        )
    o = orders.lazy().select(list(ORDERS_FRAME_SCHEMA)).cast(ORDERS_FRAME_SCHEMA)  # type: ignore[arg-type]
    v = reviews.lazy().select(list(REVIEWS_FRAME_SCHEMA)).cast(REVIEWS_FRAME_SCHEMA)  # type: ignore[arg-type]
    r = returns.lazy().select(list(RETURNS_FRAME_SCHEMA)).cast(RETURNS_FRAME_SCHEMA)  # type: ignore[arg-type]
    parts = [
        *_rating_and_balance(v, r, rules),
        *_cancellations(o, rules),
        _late_handovers(o),
        *_quality_returns(o, r, rules),
    ]
    columns = list(FACTS_FRAME_SCHEMA)
    return pl.concat([p.select(columns) for p in parts]).collect().cast(FACTS_FRAME_SCHEMA)  # type: ignore[arg-type]


def _fact_columns(
    indicator: Indicator,
    ref_kind: RefKind,
    ref: pl.Expr,
    at: pl.Expr,
    numerator: pl.Expr | bool,
    denominator: pl.Expr | bool,
    weight: pl.Expr | int = 1,
    note: pl.Expr | None = None,
    gone_at: pl.Expr | None = None,
) -> list[pl.Expr]:
    def lit(value: pl.Expr | bool | int, dtype: pl.DataType) -> pl.Expr:
        return value if isinstance(value, pl.Expr) else pl.lit(value, dtype=dtype)

    return [
        pl.lit(str(indicator)).alias("indicator"),
        pl.lit(str(ref_kind)).alias("ref_kind"),
        ref.alias("ref"),
        at.alias("at"),
        lit(numerator, pl.Boolean()).alias("numerator"),
        lit(denominator, pl.Boolean()).alias("denominator"),
        lit(weight, pl.Int32()).cast(pl.Int32).alias("weight"),
        (note if note is not None else pl.lit(None, dtype=pl.String)).alias("note"),
        (gone_at if gone_at is not None else pl.lit(None, dtype=_UTC_US)).alias(GONE_AT),
    ]


def _stars(count: pl.Expr) -> pl.Expr:
    return pl.format("{} star", count) + pl.when(count == 1).then(pl.lit("")).otherwise(pl.lit("s"))


def _rating_and_balance(
    reviews: pl.LazyFrame, returns: pl.LazyFrame, rules: QualityRules
) -> list[pl.LazyFrame]:
    # Kaspi moderates a review for a day before publishing it; without a recorded approval we
    # place it one moderation period after it was written.
    placed = pl.coalesce(
        pl.col("approved_at"),
        pl.col("created_at") + pl.duration(days=rules.review_moderation_days),
    )
    # A rating does not count once the buyer returned the item: the first return of the
    # review's order line (its SKU), or of any line of its order when the review names no SKU.
    # From the return's date on, not retroactively: the history shows what Kaspi showed then.
    by_line = returns.group_by("order_code", "sku").agg(pl.col("created_at").min().alias("r_line"))
    by_order = returns.group_by("order_code").agg(pl.col("created_at").min().alias("r_order"))
    valid = (
        reviews.filter(pl.col("rating").is_between(1, 5))  # Kaspi's scale; anything else is noise
        .join(by_line, on=["order_code", "sku"], how="left")
        .join(by_order, on="order_code", how="left")
        .with_columns(
            placed.alias("placed"),
            pl.when(pl.col("sku").is_null())
            .then(pl.col("r_order"))
            .otherwise(pl.col("r_line"))
            .alias("returned_at"),
        )
    )
    rating_gone = pl.min_horizontal("deleted_at", "returned_at")
    rating = valid.filter(rating_gone.is_null() | (rating_gone > pl.col("placed"))).select(
        _fact_columns(
            Indicator.RATING,
            RefKind.REVIEW,
            pl.col("key"),
            pl.col("placed"),
            numerator=True,
            denominator=True,
            weight=pl.col("rating"),
            note=_stars(pl.col("rating")),
            gone_at=rating_gone,
        )
    )
    # The balance only loses reviews the buyer deleted: returns are a rating rule.
    negative = pl.col("rating") <= rules.negative_at_most
    positive = pl.col("rating") >= rules.positive_at_least
    balance = valid.filter(
        (negative | positive)
        & (pl.col("deleted_at").is_null() | (pl.col("deleted_at") > pl.col("placed")))
    ).select(
        _fact_columns(
            Indicator.REVIEWS_BALANCE,
            RefKind.REVIEW,
            pl.col("key"),
            pl.col("placed"),
            numerator=negative,
            denominator=positive,
            note=pl.when(negative).then(pl.lit("negative: ")).otherwise(pl.lit("positive: "))
            + _stars(pl.col("rating")),
            gone_at=pl.col("deleted_at"),
        )
    )
    return [rating, balance]


def _cancellations(orders: pl.LazyFrame, rules: QualityRules) -> list[pl.LazyFrame]:
    # Only a final CANCELLED counts: CANCELLING may still be undone, and its reason may change.
    seller_fault = (pl.col("status") == OrderStatus.CANCELLED.value) & pl.col(
        "cancellation_reason"
    ).is_in(sorted(rules.seller_fault_reasons))
    note = pl.format("seller-fault {}", pl.col("cancellation_reason"))
    if rules.cancellation_anchor is CancellationAnchor.CREATED:
        # One cohort: an order and its cancellation share the creation instant.
        return [
            orders.select(
                _fact_columns(
                    Indicator.SELLER_CANCELLATIONS,
                    RefKind.ORDER,
                    pl.col("code"),
                    pl.col("created_at"),
                    numerator=seller_fault.fill_null(value=False),
                    denominator=True,
                    note=pl.when(seller_fault).then(note),
                )
            )
        ]
    every_order = orders.select(
        _fact_columns(
            Indicator.SELLER_CANCELLATIONS,
            RefKind.ORDER,
            pl.col("code"),
            pl.col("created_at"),
            numerator=False,
            denominator=True,
        )
    )
    # Placed at the cancellation; an order without a recorded cancellation time (an old import)
    # falls back to its creation.
    cancelled = orders.filter(seller_fault).select(
        _fact_columns(
            Indicator.SELLER_CANCELLATIONS,
            RefKind.ORDER,
            pl.col("code"),
            pl.coalesce("cancelled_at", "created_at"),
            numerator=True,
            denominator=False,
            note=note,
        )
    )
    return [every_order, cancelled]


def _late_handovers(orders: pl.LazyFrame) -> pl.LazyFrame:
    late = pl.col("handed_over_at") > pl.col("handover_deadline")
    # Whole minutes, rounded up: a handover one second late is late by 1 min, never "0 min".
    minutes = (
        (pl.col("handed_over_at") - pl.col("handover_deadline")).dt.total_microseconds()
        + 59_999_999
    ) // 60_000_000
    hours, rest = minutes // 60, minutes % 60
    note = (
        pl.when(pl.col("handover_deadline").is_null())
        .then(pl.lit("no handover deadline known"))
        .when(~late)
        .then(None)
        .when(hours > 0)
        .then(pl.format("late by {} h {} min", hours, rest))
        .otherwise(pl.format("late by {} min", rest))
    )
    return orders.filter(
        pl.col("is_kaspi_delivery").fill_null(value=False) & pl.col("handed_over_at").is_not_null()
    ).select(
        _fact_columns(
            Indicator.LATE_HANDOVERS,
            RefKind.ORDER,
            pl.col("code"),
            pl.col("handed_over_at"),
            numerator=late.fill_null(value=False),
            denominator=True,
            note=note,
        )
    )


def _quality_returns(
    orders: pl.LazyFrame, returns: pl.LazyFrame, rules: QualityRules
) -> list[pl.LazyFrame]:
    completed = orders.filter(pl.col("completed_at").is_not_null()).select(
        _fact_columns(
            Indicator.QUALITY_RETURNS,
            RefKind.ORDER,
            pl.col("code"),
            pl.col("completed_at"),
            numerator=False,
            denominator=True,
        )
    )
    # One numerator fact per order, at its first quality return: the share is of orders, so an
    # order with two defective lines is one bad order, not two. ``unknown`` (the API says
    # RETURNED but not why) is not quality: importing the cabinet's returns file supplies it.
    first_returns = (
        returns.filter(pl.col("reason") == ReturnReason.QUALITY.value)
        .sort("created_at", "key")
        .group_by("order_code", maintain_order=True)
        .agg(
            pl.col("key").first(),
            pl.col("created_at").first(),
            pl.col("sku").sort().str.join(", ").alias("skus"),
        )
    )
    placed_at = pl.col("created_at")
    if rules.return_anchor == ReturnAnchor.COMPLETED:
        # At the order's completion, with the denominator fact of the same order; a return
        # whose order is not stored as completed keeps its own date.
        completions = orders.select(pl.col("code").alias("order_code"), "completed_at")
        first_returns = first_returns.join(completions, on="order_code", how="left")
        placed_at = pl.coalesce("completed_at", "created_at")
    quality = first_returns.select(
        _fact_columns(
            Indicator.QUALITY_RETURNS,
            RefKind.RETURN,
            pl.col("key"),
            placed_at,
            numerator=True,
            denominator=False,
            note=pl.format("quality return: {}", pl.col("skus")),
        )
    )
    return [completed, quality]
