"""The worked example of docs/indicators.md §5, recomputed: the page and the code must agree."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from saudager.domains.orders.types import Order, Return, Review
from saudager.domains.quality.facts import build_facts
from saudager.domains.quality.indicators import compute_indicators, drilldown
from saudager.domains.quality.types import CancellationAnchor, Indicator, QualityRules, Status

TZ = "Asia/Almaty"
RULES = QualityRules()
AS_OF = date(2026, 8, 25)


def local(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) - timedelta(hours=5)


def shop() -> tuple[list[Order], list[Review], list[Return]]:
    orders = []
    for i in range(200):
        day = date(2026, 7, 27) + timedelta(days=i % 30)  # 27 Jul … 25 Aug, local
        created = local(day.year, day.month, day.day, 10)
        o = Order(f"o{i}", created, "ARCHIVE", "COMPLETED", Decimal(5000))
        if i < 4:
            o = replace(o, status="CANCELLED", cancellation_reason="MERCHANT_OUT_OF_STOCK")
        elif i < 6:
            o = replace(o, status="CANCELLED", cancellation_reason="BUYER_CANCELLATION_HIMSELF")
        elif i == 6:
            o = replace(o, state="KASPI_DELIVERY", status="CANCELLING")
            o = replace(o, cancellation_reason="MERCHANT_OUT_OF_STOCK")
        if 10 <= i < 130:  # 120 Kaspi Delivery handovers
            deadline = created + timedelta(hours=5)  # 15:00 local
            if i in {10, 11, 12, 13, 14, 15, 29}:  # 7 late; o29 on 25 Aug: 18:20 for 15:00
                handed = deadline + timedelta(hours=3, minutes=20)
            elif i == 16:
                handed = deadline  # at the deadline: on time
            else:
                handed = deadline - timedelta(hours=1)
            o = replace(
                o, is_kaspi_delivery=True, handover_deadline=deadline, handed_over_at=handed
            )
        if 20 <= i < 170:  # 150 completed
            o = replace(o, completed_at=created + timedelta(hours=6))
        orders.append(o)
    orders.append(
        Order(
            "E",
            local(2026, 7, 26, 23, 59),
            "ARCHIVE",
            "CANCELLED",
            Decimal(5000),
            cancellation_reason="MERCHANT_OUT_OF_STOCK",
            cancelled_at=local(2026, 7, 27, 10),
        )
    )
    returns = [
        *(Return(f"o{i}/A", f"o{i}", "A", 1, "quality", local(2026, 8, 20)) for i in (20, 21, 22)),
        *(Return(f"o{i}/A", f"o{i}", "A", 1, "unknown", local(2026, 8, 20)) for i in (23, 24)),
        Return("o150/B", "o150", "B", 1, "other", local(2026, 8, 10, 12)),
    ]
    stars = [5] * 45 + [4] * 8 + [3] * 2 + [2] * 1 + [1] * 4
    reviews = [
        Review(
            f"r{k}",
            s,
            local(2026, 6, 1) + timedelta(days=k),
            approved_at=local(2026, 6, 2) + timedelta(days=k),
        )
        for k, s in enumerate(stars)
    ]
    reviews += [
        Review(
            "D", 1, local(2026, 8, 1), approved_at=local(2026, 8, 2), deleted_at=local(2026, 8, 20)
        ),
        Review(
            "R", 1, local(2026, 8, 1), approved_at=local(2026, 8, 2), order_code="o150", sku="B"
        ),
    ]
    return orders, reviews, returns


def test_worked_example() -> None:
    facts = build_facts(*shop(), RULES)
    v = compute_indicators(facts, AS_OF, TZ, RULES)
    got = {ind: (x.numerator, x.denominator, x.value, x.status) for ind, x in v.items()}
    assert got == {
        Indicator.SELLER_CANCELLATIONS: (4, 200, Decimal("2.00"), Status.WARNING),
        Indicator.LATE_HANDOVERS: (7, 120, Decimal("5.83"), Status.WARNING),
        Indicator.QUALITY_RETURNS: (3, 150, Decimal("2.00"), Status.CRITICAL),
        Indicator.RATING: (269, 60, Decimal("4.48"), Status.WARNING),
        Indicator.REVIEWS_BALANCE: (8, 53, Decimal("15.09"), Status.OK),
    }
    assert v[Indicator.SELLER_CANCELLATIONS].details["min_data_orders"] == 200
    late = drilldown(facts, Indicator.LATE_HANDOVERS, AS_OF, TZ, RULES, numerator_only=True)
    assert late[0].ref == "o29"
    assert late[0].note == "late by 3 h 20 min"


def test_worked_example_variants() -> None:
    orders, reviews, returns = shop()
    anchored = replace(RULES, cancellation_anchor=CancellationAnchor.CANCELLED)
    v = compute_indicators(build_facts(orders, reviews, returns, anchored), AS_OF, TZ, anchored)
    cancel = v[Indicator.SELLER_CANCELLATIONS]
    assert (cancel.numerator, cancel.denominator, cancel.value) == (5, 200, Decimal("2.50"))
    assert cancel.status is Status.WARNING

    facts = build_facts(orders, reviews, returns, RULES)

    # D (deleted 20 Aug) still counted as of 19 Aug; R (returned 10 Aug) as of 9 Aug.
    def ratings(day: date) -> int:
        return compute_indicators(facts, day, TZ, RULES)[Indicator.RATING].denominator

    assert (ratings(date(2026, 8, 9)), ratings(date(2026, 8, 19)), ratings(AS_OF)) == (62, 61, 60)

    quality = [replace(r, reason="quality") if r.reason == "unknown" else r for r in returns]
    v = compute_indicators(build_facts(orders, reviews, quality, RULES), AS_OF, TZ, RULES)
    assert v[Indicator.QUALITY_RETURNS].value == Decimal("3.33")
