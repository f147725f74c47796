"""Which date places a quality return: the return's own (default) or its order's completion."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from saudager.domains.orders.types import Order, Return
from saudager.domains.quality.facts import build_facts
from saudager.domains.quality.indicators import compute_indicators
from saudager.domains.quality.types import Indicator, QualityRules, ReturnAnchor

TZ = "Asia/Almaty"


def _order(code: str, completed: datetime) -> Order:
    return Order(code=code, created_at=completed.replace(day=1), state="ARCHIVE",
                 status="COMPLETED", total_price=Decimal(1000), completed_at=completed)  # fmt: skip


# Completed 5 March 12:00 local (07:00 UTC); the buyer sends it back for a defect on 10 April.
ORDERS = [_order("1", datetime(2026, 3, 5, 7, 0, tzinfo=UTC))] + [
    _order(str(100 + i), datetime(2026, 3, 20, 7, 0, tzinfo=UTC)) for i in range(10)
]
RETURNS = [Return(key="1/SKU", order_code="1", sku="SKU", quantity=1, reason="quality",
                  created_at=datetime(2026, 4, 10, 7, 0, tzinfo=UTC))]  # fmt: skip


@pytest.mark.parametrize(
    ("anchor", "as_of", "numerator", "denominator"),
    [
        # The return counts when it happens: on 10 April its order (completed 5 March) has left
        # the window, which runs 12 March … 10 April.
        (ReturnAnchor.RETURNED, date(2026, 4, 10), 1, 10),
        (ReturnAnchor.RETURNED, date(2026, 4, 9), 0, 10),
        # With its order: 5 March, inside the window of 31 March (2 … 31 March), not of 10 April.
        (ReturnAnchor.COMPLETED, date(2026, 3, 31), 1, 11),
        (ReturnAnchor.COMPLETED, date(2026, 4, 10), 0, 10),
        (ReturnAnchor.COMPLETED, date(2026, 4, 3), 1, 11),  # window 5 March … 3 April: first day
        (ReturnAnchor.COMPLETED, date(2026, 4, 4), 0, 10),  # 6 March …: it has left
    ],
)
def test_return_anchor(anchor: ReturnAnchor, as_of: date, numerator: int, denominator: int) -> None:
    rules = QualityRules(return_anchor=anchor)
    facts = build_facts(ORDERS, [], RETURNS, rules)
    value = compute_indicators(facts, as_of, TZ, rules)[Indicator.QUALITY_RETURNS]
    assert (value.numerator, value.denominator) == (numerator, denominator)
