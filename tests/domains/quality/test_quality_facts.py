"""build_facts: which orders, reviews and returns become which facts, placed where."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import polars as pl
import pytest

from saudager.domains.orders.types import Order, Return, Review
from saudager.domains.quality.facts import build_facts, facts_frame
from saudager.domains.quality.indicators import compute_indicators, drilldown
from saudager.domains.quality.types import (
    FACTS_FRAME_SCHEMA,
    CancellationAnchor,
    Fact,
    Indicator,
    QualityRules,
    RefKind,
    Status,
)

TZ = "Asia/Almaty"
RULES = QualityRules()
AS_OF = date(2026, 8, 25)
T = datetime(2026, 8, 10, 6, 0, tzinfo=UTC)  # 10 Aug 11:00 local, well inside every window


def order(code: str, created: datetime = T, /, **kw: object) -> Order:
    fields: dict[str, object] = {"state": "ARCHIVE", "status": "COMPLETED"} | kw
    return Order(code=code, created_at=created, total_price=Decimal(1000), **fields)  # type: ignore[arg-type]


def review(key: str, rating: int, **kw: object) -> Review:
    fields: dict[str, object] = {"created_at": T} | kw
    return Review(key=key, rating=rating, **fields)  # type: ignore[arg-type]


def of(facts: pl.DataFrame, indicator: Indicator) -> pl.DataFrame:
    return facts.filter(pl.col("indicator") == str(indicator)).sort("ref", "at")


def test_empty_inputs_give_an_empty_frame_of_the_schema() -> None:
    facts = build_facts([], [], [], RULES)
    assert facts.schema == pl.Schema(FACTS_FRAME_SCHEMA)
    assert facts.height == 0
    values = compute_indicators(facts, AS_OF, TZ, RULES)
    assert {v.status for v in values.values()} == {Status.NOT_ENOUGH_DATA}


def test_facts_frame_round_trips_through_drilldown() -> None:
    fact = Fact(Indicator.LATE_HANDOVERS, RefKind.ORDER, "o1", T, True, True, 1, "late by 1 min")
    frame = facts_frame([fact])
    assert frame.schema == pl.Schema(FACTS_FRAME_SCHEMA)
    assert drilldown(frame, Indicator.LATE_HANDOVERS, AS_OF, TZ, RULES) == [fact]


# --- RATING and REVIEWS_BALANCE -------------------------------------------------------------


def test_review_is_placed_at_approval_else_created_plus_moderation() -> None:
    approved = T + timedelta(hours=30)
    facts = build_facts([], [review("a", 5, approved_at=approved), review("b", 4)], [], RULES)
    rating = of(facts, Indicator.RATING)
    assert rating["ref"].to_list() == ["a", "b"]
    assert rating["at"].to_list() == [approved, T + timedelta(days=1)]
    assert rating["weight"].to_list() == [5, 4]
    assert rating["numerator"].all()
    assert rating["denominator"].all()
    assert rating["note"].to_list() == ["5 stars", "4 stars"]


def test_ratings_outside_one_to_five_are_dropped() -> None:
    facts = build_facts([], [review("zero", 0), review("six", 6)], [], RULES)
    assert facts.height == 0


def test_returned_item_review_stops_counting_from_the_return() -> None:
    returned_at = T + timedelta(days=5)
    reviews = [
        review("same-sku", 5, order_code="o1", sku="A"),
        review("other-sku", 5, order_code="o1", sku="B"),
        review("no-sku", 5, order_code="o1"),
        review("other-order", 5, order_code="o2"),
    ]
    returns = [Return("o1/A", "o1", "A", 1, "other", returned_at)]
    rating = of(build_facts([], reviews, returns, RULES), Indicator.RATING)
    gone = dict(zip(rating["ref"], rating["gone_at"], strict=True))
    assert gone == {
        "same-sku": returned_at,
        "no-sku": returned_at,  # names no SKU: any return of its order
        "other-sku": None,
        "other-order": None,
    }
    # The return is on 15 Aug local: the review counted as of 14 Aug and no longer as of 15 Aug.
    facts = build_facts([], reviews, returns, RULES)
    before = compute_indicators(facts, date(2026, 8, 14), TZ, RULES, violations_so_far=3)
    after = compute_indicators(facts, date(2026, 8, 15), TZ, RULES, violations_so_far=3)
    assert before[Indicator.RATING].denominator == 4
    assert after[Indicator.RATING].denominator == 2


def test_review_returned_before_its_approval_never_counts() -> None:
    reviews = [review("r", 1, order_code="o1", sku="A")]
    returns = [Return("o1/A", "o1", "A", 1, "quality", T + timedelta(hours=1))]
    assert of(build_facts([], reviews, returns, RULES), Indicator.RATING).height == 0


def test_balance_ignores_returns_and_keeps_deletions() -> None:
    deleted = T + timedelta(days=3)
    reviews = [
        review("neg", 2, order_code="o1", sku="A"),
        review("pos", 5, deleted_at=deleted),
        review("three", 3),
    ]
    returns = [Return("o1/A", "o1", "A", 1, "quality", T + timedelta(days=2))]
    balance = of(build_facts([], reviews, returns, RULES), Indicator.REVIEWS_BALANCE)
    assert balance.select("ref", "numerator", "denominator", "gone_at", "note").rows() == [
        ("neg", True, False, None, "negative: 2 stars"),
        ("pos", False, True, deleted, "positive: 5 stars"),
        ("three", True, False, None, "negative: 3 stars"),  # 3 is negative by default
    ]


def test_three_stars_neutral_when_the_rules_say_so() -> None:
    rules = replace(RULES, negative_at_most=2)
    balance = of(build_facts([], [review("three", 3)], [], rules), Indicator.REVIEWS_BALANCE)
    assert balance.height == 0


def test_overlapping_negative_and_positive_rules_are_refused() -> None:
    with pytest.raises(ValueError, match="negative_at_most"):
        build_facts([], [], [], replace(RULES, negative_at_most=4))


# --- SELLER_CANCELLATIONS -----------------------------------------------------------------


def test_every_order_is_a_denominator_and_only_final_seller_fault_cancellations_count() -> None:
    cancelled = {"status": "CANCELLED", "cancelled_at": T + timedelta(hours=2)}
    orders = [
        order("ok"),
        order("fault", cancellation_reason="MERCHANT_OUT_OF_STOCK", **cancelled),
        order("import", cancellation_reason="MERCHANT_OUT_OF_STOCK", source="import", **cancelled),
        order("buyer", cancellation_reason="BUYER_CANCELLATION_HIMSELF", **cancelled),
        order("pending", status="CANCELLING", cancellation_reason="MERCHANT_OUT_OF_STOCK"),
        order("no-reason", **cancelled),
    ]
    facts = of(build_facts(orders, [], [], RULES), Indicator.SELLER_CANCELLATIONS)
    assert facts.select("ref", "at", "numerator", "denominator", "note").rows() == [
        ("buyer", T, False, True, None),
        ("fault", T, True, True, "seller-fault MERCHANT_OUT_OF_STOCK"),
        ("import", T, True, True, "seller-fault MERCHANT_OUT_OF_STOCK"),
        ("no-reason", T, False, True, None),
        ("ok", T, False, True, None),
        ("pending", T, False, True, None),
    ]


def test_cancellation_anchor_decides_which_window_the_cancellation_falls_in() -> None:
    # Created 26 Jul 12:00 local (day 31 back from 25 Aug: outside the 30-day window), cancelled
    # 28 Jul (inside).
    created = datetime(2026, 7, 26, 7, 0, tzinfo=UTC)
    cancelled_at = datetime(2026, 7, 28, 7, 0, tzinfo=UTC)
    orders = [
        order(
            "late-cancel",
            created,
            status="CANCELLED",
            cancellation_reason="MERCHANT_OUT_OF_STOCK",
            cancelled_at=cancelled_at,
        ),
        *(order(f"n{i}", T) for i in range(10)),
    ]
    by_creation = compute_indicators(build_facts(orders, [], [], RULES), AS_OF, TZ, RULES)
    assert by_creation[Indicator.SELLER_CANCELLATIONS].numerator == 0
    assert by_creation[Indicator.SELLER_CANCELLATIONS].denominator == 10

    rules = replace(RULES, cancellation_anchor=CancellationAnchor.CANCELLED)
    facts = build_facts(orders, [], [], rules)
    rows = of(facts, Indicator.SELLER_CANCELLATIONS).filter(pl.col("ref") == "late-cancel")
    assert rows.select("at", "numerator", "denominator").rows() == [
        (created, False, True),
        (cancelled_at, True, False),
    ]
    by_cancellation = compute_indicators(facts, AS_OF, TZ, rules)
    assert by_cancellation[Indicator.SELLER_CANCELLATIONS].numerator == 1
    assert by_cancellation[Indicator.SELLER_CANCELLATIONS].denominator == 10
    assert by_cancellation[Indicator.SELLER_CANCELLATIONS].value == Decimal("10.00")


def test_cancelled_anchor_without_cancellation_time_falls_back_to_creation() -> None:
    rules = replace(RULES, cancellation_anchor=CancellationAnchor.CANCELLED)
    orders = [order("x", status="CANCELLED", cancellation_reason="MERCHANT_OUT_OF_STOCK")]
    rows = of(build_facts(orders, [], [], rules), Indicator.SELLER_CANCELLATIONS)
    assert rows.filter(pl.col("numerator"))["at"].to_list() == [T]


# --- LATE_HANDOVERS ---------------------------------------------------------------------


def test_late_handovers_only_kaspi_delivery_handed_over_strictly_after_the_deadline() -> None:
    deadline = T + timedelta(hours=8)
    kd = {"is_kaspi_delivery": True, "handover_deadline": deadline}
    orders = [
        order("on-time", handed_over_at=deadline, **kd),
        order("late", handed_over_at=deadline + timedelta(hours=3, minutes=20), **kd),
        order("a-second", handed_over_at=deadline + timedelta(seconds=1), **kd),
        order("a-day", handed_over_at=deadline + timedelta(hours=26, minutes=5), **kd),
        order("not-yet", **kd),
        order("own-courier", handed_over_at=deadline + timedelta(days=1)),
        order("no-deadline", is_kaspi_delivery=True, handed_over_at=deadline + timedelta(days=1)),
    ]
    late = of(build_facts(orders, [], [], RULES), Indicator.LATE_HANDOVERS)
    assert late.select("ref", "numerator", "denominator", "note").rows() == [
        ("a-day", True, True, "late by 26 h 5 min"),
        ("a-second", True, True, "late by 1 min"),
        ("late", True, True, "late by 3 h 20 min"),
        ("no-deadline", False, True, "no handover deadline known"),
        ("on-time", False, True, None),
    ]
    assert late.filter(pl.col("ref") == "late")["at"].item() == deadline + timedelta(
        hours=3, minutes=20
    )


# --- QUALITY_RETURNS ---------------------------------------------------------------------


def test_quality_returns_count_orders_with_a_quality_return_unknown_does_not() -> None:
    completed = T + timedelta(days=1)
    orders = [order(f"o{i}", completed_at=completed) for i in range(4)] + [order("open")]
    returns = [
        Return("o0/A", "o0", "A", 1, "quality", T + timedelta(days=3)),
        Return("o0/B", "o0", "B", 2, "quality", T + timedelta(days=2)),  # same order: one fact
        Return("o1/A", "o1", "A", 1, "unknown", T + timedelta(days=2)),
        Return("o2/A", "o2", "A", 1, "other", T + timedelta(days=2)),
    ]
    facts = build_facts(orders, [], returns, RULES)
    rows = of(facts, Indicator.QUALITY_RETURNS)
    assert rows.filter(pl.col("denominator"))["ref"].to_list() == ["o0", "o1", "o2", "o3"]
    assert rows.filter(pl.col("denominator"))["at"].unique().to_list() == [completed]
    bad = rows.filter(pl.col("numerator"))
    assert bad.select("ref_kind", "ref", "at", "denominator", "note").rows() == [
        ("return", "o0/B", T + timedelta(days=2), False, "quality return: A, B"),
    ]
    value = compute_indicators(facts, AS_OF, TZ, RULES, violations_so_far=3)
    assert value[Indicator.QUALITY_RETURNS].numerator == 1
    assert value[Indicator.QUALITY_RETURNS].denominator == 4
    assert value[Indicator.QUALITY_RETURNS].value == Decimal("25.00")
