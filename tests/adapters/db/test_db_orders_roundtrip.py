"""Any order the domain can hold comes back from the store equal, and re-upserting it is a no-op."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saudager.adapters.db.store import SqlStore
from saudager.domains.orders.types import Order, OrderLine

# PostgreSQL text cannot hold NUL; Kaspi never sends it.
texts = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=20)
maybe_text = st.none() | texts
# Any amount in tiyn that fits a BIGINT, as Decimal tenge.
money = st.integers(min_value=-(2**63), max_value=2**63 - 1).map(lambda t: Decimal(t).scaleb(-2))
zones = st.sampled_from(
    [UTC, ZoneInfo("Asia/Almaty"), ZoneInfo("America/St_Johns"), timezone(timedelta(hours=14))]
)
instants = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
maybe_instant = st.none() | instants


@st.composite
def order_lines(draw: st.DrawFn) -> tuple[OrderLine, ...]:
    numbers = draw(st.lists(st.integers(1, 1000), unique=True, max_size=4))
    return tuple(
        OrderLine(
            line_no=number,
            sku=draw(texts),
            quantity=draw(st.integers(-(2**31), 2**31 - 1)),
            unit_price=draw(money),
            total_price=draw(money),
            product_name=draw(maybe_text),
            category=draw(maybe_text),
            kaspi_product_code=draw(maybe_text),
            kaspi_entry_id=draw(maybe_text),
        )
        for number in sorted(numbers)
    )


orders = st.builds(
    Order,
    code=texts,
    created_at=instants,
    state=texts,
    status=texts,
    total_price=money,
    kaspi_id=maybe_text,
    delivery_mode=maybe_text,
    is_kaspi_delivery=st.booleans(),
    handover_deadline=maybe_instant,
    handed_over_at=maybe_instant,
    planned_delivery_at=maybe_instant,
    completed_at=maybe_instant,
    cancelled_at=maybe_instant,
    cancellation_reason=maybe_text,
    cancelled_by=maybe_text,
    delivery_cost_for_seller=st.none() | money,
    payment_mode=maybe_text,
    city=maybe_text,
    customer_id=maybe_text,
    customer_name=maybe_text,
    customer_phone=maybe_text,
    source=texts,
    lines=order_lines(),
)


def in_utc(order: Order) -> Order:
    """The order with every instant in UTC: what the store promises to return.

    Compared in UTC because Python never finds a local time inside a DST fold or gap equal to
    any instant of another zone (PEP 495), and zones with DST history are the interesting ones.
    """
    moments: dict[str, Any] = {
        name: value.astimezone(UTC)
        for name in Order.__dataclass_fields__
        if isinstance(value := getattr(order, name), datetime)
    }
    return dataclasses.replace(order, **moments)


class _Undo(Exception):
    """Raised to roll each example back, so examples do not see each other's rows."""


@settings(
    max_examples=60,
    deadline=None,
    # The store fixture is per test, not per example: that is fine, each example rolls back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(order=orders)
def test_random_orders_round_trip(store: SqlStore, shop_id: int, order: Order) -> None:

    def check_then_undo() -> None:
        with store.transaction() as tx:
            assert tx.upsert_orders(shop_id, [order]) == 1
            assert tx.get_order(shop_id, order.code) == in_utc(order)
            assert tx.upsert_orders(shop_id, [order]) == 0
            raise _Undo

    with pytest.raises(_Undo):
        check_then_undo()
