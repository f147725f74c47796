"""The shops' data revision on SQLite and PostgreSQL: raised by every change to what the reports
read, once per transaction, and by nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from saudager.adapters.db.store import SqlStore, SqlStoreTx
from saudager.core.errors import NotFoundError
from saudager.domains.analytics.records import AdSpend, CommissionRate
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import (
    Order,
    OrderLine,
    OrderState,
    OrderStatus,
    Return,
    ReturnReason,
    Review,
)
from saudager.domains.quality.records import SentAlert, Snapshot

T0 = datetime(2025, 8, 1, 9, 30, tzinfo=UTC)


def _line(line_no: int = 1, sku: str = "SKU-1", price: str = "5990") -> OrderLine:
    unit = Decimal(price)
    return OrderLine(line_no=line_no, sku=sku, quantity=1, unit_price=unit, total_price=unit)


def _order(code: str = "100001", status: str = OrderStatus.ACCEPTED_BY_MERCHANT) -> Order:
    return Order(
        code=code,
        created_at=T0,
        state=OrderState.KASPI_DELIVERY,
        status=status,
        total_price=Decimal("5990"),
        lines=(_line(),),
    )


def _review(key: str = "r1", rating: int = 5) -> Review:
    return Review(key=key, rating=rating, created_at=T0, approved_at=T0 + timedelta(days=1))


def _return(quantity: int = 1) -> Return:
    return Return(
        key="100001/SKU-1", order_code="100001", sku="SKU-1", quantity=quantity,
        reason=ReturnReason.QUALITY, created_at=T0 + timedelta(days=3),
    )  # fmt: skip


def _seed(tx: SqlStoreTx, shop_id: int) -> None:
    """One of everything, so that each write below has something to change."""
    tx.upsert_products(shop_id, [Product(sku="SKU-1", name="Чайник")])
    tx.add_product_costs(shop_id, [ProductCost("SKU-1", date(2025, 1, 1), Decimal("3000"))])
    tx.upsert_orders(shop_id, [_order()])
    tx.upsert_reviews(shop_id, [_review()])
    tx.upsert_returns(shop_id, [_return()])
    tx.add_ad_spend(shop_id, [AdSpend(date(2025, 8, 1), Decimal("1000"), "SKU-1")])
    tx.set_commission_rate(shop_id, CommissionRate("*", "*", date(2025, 1, 1), 1200, "seller"))


Write = Callable[[SqlStoreTx, int], object]

#: Each kind of write that changes what the shop's reports read.
CHANGES: dict[str, Write] = {
    "new order": lambda tx, s: tx.upsert_orders(s, [_order("100002")]),
    "order status": lambda tx, s: tx.upsert_orders(s, [_order(status=OrderStatus.COMPLETED)]),
    "order lines": lambda tx, s: tx.replace_order_lines(
        s, {"100001": [_line(), _line(2, "SKU-2", "100")]}
    ),
    "new review": lambda tx, s: tx.upsert_reviews(s, [_review("r2", 2)]),
    "review rating": lambda tx, s: tx.upsert_reviews(s, [_review(rating=4)]),
    "review deleted": lambda tx, s: tx.mark_reviews_deleted(s, ["r1"], T0 + timedelta(days=5)),
    "return": lambda tx, s: tx.upsert_returns(s, [_return(quantity=2)]),
    "product": lambda tx, s: tx.upsert_products(s, [Product(sku="SKU-1", name="Чайник", stock=7)]),
    "product cost": lambda tx, s: tx.add_product_costs(
        s, [ProductCost("SKU-1", date(2025, 1, 1), Decimal("3100"))]
    ),
    "ad spend": lambda tx, s: tx.add_ad_spend(
        s, [AdSpend(date(2025, 8, 2), Decimal("500"), "SKU-1")]
    ),
    "commission rate": lambda tx, s: tx.set_commission_rate(
        s, CommissionRate("*", "*", date(2025, 6, 1), 1100, "seller")
    ),
}

#: Writes that change nothing the reports read, or nothing at all.
NO_CHANGES: dict[str, Write] = {
    "same order again": lambda tx, s: tx.upsert_orders(s, [_order()]),
    "same order without lines": lambda tx, s: tx.upsert_orders(s, [replace(_order(), lines=())]),
    "no orders": lambda tx, s: tx.upsert_orders(s, []),
    "same lines": lambda tx, s: tx.replace_order_lines(s, {"100001": [_line()]}),
    "same review": lambda tx, s: tx.upsert_reviews(s, [_review()]),
    "unknown review deleted": lambda tx, s: tx.mark_reviews_deleted(s, ["nope"], T0),
    "same return": lambda tx, s: tx.upsert_returns(s, [_return()]),
    "same product": lambda tx, s: tx.upsert_products(s, [Product(sku="SKU-1", name="Чайник")]),
    "same cost": lambda tx, s: tx.add_product_costs(
        s, [ProductCost("SKU-1", date(2025, 1, 1), Decimal("3000"))]
    ),
    "no ad spend": lambda tx, s: tx.add_ad_spend(s, []),
    "sync run": lambda tx, s: tx.finish_sync_run(
        tx.start_sync_run(s, T0), T0 + timedelta(minutes=1), "succeeded", 3, 0
    ),
    "watermark": lambda tx, s: tx.set_sync_watermark(s, "ARCHIVE", T0),
    "quality snapshot": lambda tx, s: tx.save_quality_snapshots(
        s, [Snapshot(date(2025, 8, 1), "rating", 5, 1, Decimal("5.00"), "not_enough_data")]
    ),
    "alert": lambda tx, s: tx.record_alert(s, SentAlert("k", "breach", "text", T0)),
    "token": lambda tx, s: tx.set_shop_token(s, b"cipher"),
}


def _revision(store: SqlStore, shop_id: int) -> int:
    with store.transaction() as tx:
        return tx.data_revision(shop_id)


@pytest.fixture
def seeded(store: SqlStore, shop_id: int) -> int:
    with store.transaction() as tx:
        _seed(tx, shop_id)
    return shop_id


def test_a_new_shop_starts_at_zero_and_an_unknown_one_is_not_found(
    store: SqlStore, shop_id: int
) -> None:
    assert _revision(store, shop_id) == 0
    with pytest.raises(NotFoundError), store.transaction() as tx:
        tx.data_revision(shop_id + 1000)


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_each_change_raises_the_revision_by_one(store: SqlStore, seeded: int, kind: str) -> None:
    before = _revision(store, seeded)
    with store.transaction() as tx:
        CHANGES[kind](tx, seeded)
    assert _revision(store, seeded) == before + 1


@pytest.mark.parametrize("kind", sorted(NO_CHANGES))
def test_writes_that_change_no_report_data_leave_it(
    store: SqlStore, seeded: int, kind: str
) -> None:
    before = _revision(store, seeded)
    with store.transaction() as tx:
        NO_CHANGES[kind](tx, seeded)
    assert _revision(store, seeded) == before


def test_one_transaction_raises_it_once_and_sees_its_own_change(
    store: SqlStore, seeded: int
) -> None:
    before = _revision(store, seeded)
    with store.transaction() as tx:
        assert tx.data_revision(seeded) == before
        tx.upsert_orders(seeded, [_order("100003")])
        tx.upsert_reviews(seeded, [_review("r3")])
        tx.set_commission_rate(seeded, CommissionRate("*", "*", date(2025, 7, 1), 1000, "seller"))
        assert tx.data_revision(seeded) == before + 1
    assert _revision(store, seeded) == before + 1


def test_a_rolled_back_transaction_leaves_it(store: SqlStore, seeded: int) -> None:
    before = _revision(store, seeded)

    def abandon() -> None:
        with store.transaction() as tx:
            tx.upsert_orders(seeded, [_order("100004")])
            raise RuntimeError("abandoned")

    with pytest.raises(RuntimeError):
        abandon()
    assert _revision(store, seeded) == before


def test_only_the_written_shop_moves(store: SqlStore, seeded: int) -> None:
    with store.transaction() as tx:
        other = tx.add_shop("Other shop", "Asia/Almaty", None, None).id
    before = _revision(store, seeded)
    with store.transaction() as tx:
        tx.upsert_orders(other, [_order()])
    assert (_revision(store, seeded), _revision(store, other)) == (before, 1)
