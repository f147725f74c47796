"""SqlStore against real SQLite and PostgreSQL: every port method, and the rules behind them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from saudager.adapters.db import tables
from saudager.adapters.db.store import SqlStore
from saudager.core.errors import NotFoundError, SaudagerError
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import (
    Order,
    OrderLine,
    OrderState,
    OrderStatus,
    Return,
    ReturnReason,
    Review,
    Source,
)

if TYPE_CHECKING:
    from conftest import Clock  # the fixture's type; not imported at run time

ALMATY = ZoneInfo("Asia/Almaty")
T0 = datetime(2025, 8, 1, 9, 30, tzinfo=UTC)


def line(line_no: int = 1, sku: str = "SKU-1", quantity: int = 1, price: str = "5990") -> OrderLine:
    unit = Decimal(price)
    return OrderLine(
        line_no=line_no, sku=sku, quantity=quantity, unit_price=unit, total_price=unit * quantity
    )


def order(code: str = "100001", created_at: datetime = T0, **changes: object) -> Order:
    base = Order(
        code=code,
        created_at=created_at,
        state=OrderState.KASPI_DELIVERY,
        status=OrderStatus.ACCEPTED_BY_MERCHANT,
        total_price=Decimal("5990"),
        lines=(line(),),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def full_order(code: str = "200001") -> Order:
    """Every field set, with values that catch lossy storage: tiyn, non-UTC zones, Cyrillic."""
    return Order(
        code=code,
        created_at=datetime(2025, 8, 1, 23, 59, 59, 999999, tzinfo=ALMATY),
        state=OrderState.ARCHIVE,
        status=OrderStatus.COMPLETED,
        total_price=Decimal("123456789012.34"),
        kaspi_id="NjAwMDAwMDE=",
        delivery_mode="DELIVERY_REGIONAL_TODOOR",
        is_kaspi_delivery=True,
        handover_deadline=datetime(2025, 8, 2, 10, 0, tzinfo=ALMATY),
        handed_over_at=datetime(2025, 8, 2, 4, 30, 1, 5, tzinfo=UTC),
        planned_delivery_at=datetime(2025, 8, 4, tzinfo=UTC),
        completed_at=datetime(2025, 8, 4, 12, tzinfo=UTC),
        cancelled_at=datetime(2025, 8, 3, tzinfo=UTC),
        cancellation_reason="BUYER_CANCELLATION_BY_MERCHANT",
        cancelled_by="seller",
        delivery_cost_for_seller=Decimal("0.01"),
        payment_mode="PREPAID",
        city="Алматы",
        customer_id="c-42",
        customer_name="Айгерим Н.",
        customer_phone="+77011234567",
        source=Source.IMPORT,
        lines=(
            OrderLine(
                line_no=1,
                sku="SKU-Ω",
                quantity=3,
                unit_price=Decimal("-0.50"),
                total_price=Decimal("-1.50"),
                product_name="Чайник «Жұма»",
                category="Kitchen",
                kaspi_product_code="100500",
                kaspi_entry_id="e-1",
            ),
            OrderLine(
                line_no=2, sku="SKU-2", quantity=1, unit_price=Decimal(0), total_price=Decimal(0)
            ),
        ),
    )


def updated_at(store: SqlStore, shop_id: int, code: str) -> datetime:
    with store.engine.connect() as conn:
        value: datetime = conn.execute(
            select(tables.orders.c.updated_at).where(
                tables.orders.c.shop_id == shop_id, tables.orders.c.code == code
            )
        ).scalar_one()
    return value


# ------------------------------------------------------------------ shops and sync runs


def test_shops_round_trip_and_lookups(store: SqlStore, clock: Clock) -> None:
    with store.transaction() as tx:
        added = tx.add_shop(
            "Магазин", "Asia/Almaty", "https://kaspi.kz/shop/api/v2", b"\x00secret", 2.5
        )
        plain = tx.add_shop("Import only", "Asia/Oral", None, None)
    assert added.requests_per_second == 2.5
    assert plain.requests_per_second is None
    assert added.has_token
    assert not plain.has_token
    assert added.created_at == clock.now
    with store.transaction() as tx:
        assert tx.get_shop(added.id) == added
        assert tx.shop_by_name("Import only") == plain
        assert tx.list_shops() == [added, plain]
        assert tx.shop_token(added.id) == b"\x00secret"
        assert tx.shop_token(plain.id) is None
        tx.set_shop_token(plain.id, b"new")
        tx.set_shop_token(added.id, None)
    with store.transaction() as tx:
        assert tx.shop_token(plain.id) == b"new"
        assert tx.get_shop(plain.id).has_token
        assert not tx.get_shop(added.id).has_token


def test_shop_errors(store: SqlStore) -> None:
    with store.transaction() as tx:
        tx.add_shop("Taken", "Asia/Almaty", None, None)
        with pytest.raises(SaudagerError, match="'Taken' already exists"):
            tx.add_shop("Taken", "Asia/Almaty", None, None)
        # The failed insert did not spoil the transaction (PostgreSQL aborts it otherwise).
        tx.add_shop("Other", "Asia/Almaty", None, None)
        with pytest.raises(NotFoundError, match="no shop with id 999"):
            tx.get_shop(999)
        with pytest.raises(NotFoundError, match="no shop named 'Nope'"):
            tx.shop_by_name("Nope")
        with pytest.raises(NotFoundError):
            tx.shop_token(999)
        with pytest.raises(NotFoundError):
            tx.set_shop_token(999, b"x")
    with store.transaction() as tx:
        assert [shop.name for shop in tx.list_shops()] == ["Taken", "Other"]


def test_sync_runs_newest_first(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        first = tx.start_sync_run(shop_id, T0)
        second = tx.start_sync_run(shop_id, T0 + timedelta(hours=1))
        tx.finish_sync_run(first, T0 + timedelta(minutes=5), "succeeded", 120, 80)
        tx.finish_sync_run(second, T0 + timedelta(hours=2), "failed", 3, 1, error="KaspiError")
        with pytest.raises(NotFoundError):
            tx.finish_sync_run(10_000, T0, "failed", 0, 0)
    with store.transaction() as tx:
        runs = tx.sync_runs(shop_id)
        assert [run.id for run in runs] == [second, first]
        assert runs[1].orders_seen == 120
        assert runs[1].orders_written == 80
        assert runs[1].status == "succeeded"
        assert runs[1].error is None
        assert runs[0].error == "KaspiError"
        assert runs[0].finished_at == T0 + timedelta(hours=2)
        assert tx.sync_runs(shop_id, limit=1) == runs[:1]
        running = tx.start_sync_run(shop_id, T0 + timedelta(hours=3))
        newest = tx.sync_runs(shop_id, limit=1)[0]
        assert newest.id == running
        assert newest.status == "running"
        assert newest.finished_at is None


def test_watermarks(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        assert tx.sync_watermarks(shop_id) == {}
        tx.set_sync_watermark(shop_id, "NEW", T0)
        tx.set_sync_watermark(shop_id, "ARCHIVE", T0 - timedelta(days=1))
        tx.set_sync_watermark(shop_id, "NEW", T0 + timedelta(days=1))
    with store.transaction() as tx:
        marks = tx.sync_watermarks(shop_id)
    assert marks == {"NEW": T0 + timedelta(days=1), "ARCHIVE": T0 - timedelta(days=1)}
    assert all(mark.tzinfo is UTC for mark in marks.values())


def test_shops_are_isolated(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        other = tx.add_shop("Other", "Asia/Almaty", None, None).id
        tx.upsert_orders(shop_id, [order("1")])
        tx.upsert_orders(other, [order("1", total_price=Decimal(1)), order("2")])
    with store.transaction() as tx:
        assert tx.order_count(shop_id) == 1
        assert tx.order_count(other) == 2
        got = tx.get_order(shop_id, "1")
        assert got is not None
        assert got.total_price == Decimal("5990")
        assert tx.existing_order_codes(shop_id, ["1", "2"]) == {"1"}


# ------------------------------------------------------------------ orders


def test_order_round_trips_every_field(store: SqlStore, shop_id: int) -> None:
    sparse = Order(
        code="200002",
        created_at=T0,
        state=OrderState.NEW,
        status=OrderStatus.APPROVED_BY_BANK,
        total_price=Decimal("1"),
    )
    with store.transaction() as tx:
        assert tx.upsert_orders(shop_id, [full_order(), sparse]) == 2
    with store.transaction() as tx:
        full = tx.get_order(shop_id, "200001")
        empty = tx.get_order(shop_id, "200002")
        assert tx.get_order(shop_id, "nope") is None
    assert full == full_order()
    assert empty == sparse
    assert full is not None
    assert empty is not None
    # Exact to the tiyn, and back as Decimal with two places.
    assert str(full.total_price) == "123456789012.34"
    assert str(full.lines[0].unit_price) == "-0.50"
    # Every instant comes back aware UTC, however it went in.
    assert full.created_at.tzinfo is UTC
    assert full.created_at == datetime(2025, 8, 1, 18, 59, 59, 999999, tzinfo=UTC)
    assert full.handover_deadline is not None
    assert full.handover_deadline.tzinfo is UTC
    assert empty.lines == ()
    assert empty.kaspi_id is None
    assert empty.is_kaspi_delivery is False


def test_upsert_is_idempotent(store: SqlStore, shop_id: int, clock: Clock) -> None:
    batch = [order(str(code), lines=(line(1), line(2, "SKU-2"))) for code in range(100, 150)]
    with store.transaction() as tx:
        assert tx.upsert_orders(shop_id, batch) == 50
    before = updated_at(store, shop_id, "120")
    clock.advance(hours=1)
    with store.transaction() as tx:
        assert tx.upsert_orders(shop_id, batch) == 0
        # The same content in other clothes: other zones, 5990 as 5990.00, enum as plain str.
        same = [
            dataclasses.replace(
                o,
                created_at=o.created_at.astimezone(ALMATY),
                total_price=Decimal("5990.00"),
                state=str(o.state),
                lines=tuple(reversed(o.lines)),
            )
            for o in batch
        ]
        assert tx.upsert_orders(shop_id, same) == 0
        # Without lines: compared on the order's own fields, and the stored lines stay.
        assert tx.upsert_orders(shop_id, [dataclasses.replace(o, lines=()) for o in batch]) == 0
    assert updated_at(store, shop_id, "120") == before
    with store.transaction() as tx:
        assert tx.get_order(shop_id, "120") == batch[20]


def test_changed_order_is_updated_and_its_lines_replaced(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    original = order("1", lines=(line(1), line(2, "SKU-2"), line(3, "SKU-3")))
    untouched = order("2")
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, [original, untouched])
    first_seen = clock.now
    clock.advance(hours=1)
    changed = dataclasses.replace(
        original,
        status=OrderStatus.COMPLETED,
        completed_at=clock.now,
        lines=(line(1, quantity=2), line(4, "SKU-4")),
    )
    with store.transaction() as tx:
        assert tx.upsert_orders(shop_id, [changed, untouched]) == 1
        assert tx.get_order(shop_id, "1") == changed
    assert updated_at(store, shop_id, "1") == clock.now
    assert updated_at(store, shop_id, "2") == first_seen
    with store.engine.connect() as conn:
        seen = conn.execute(
            select(tables.orders.c.first_seen_at).where(tables.orders.c.code == "1")
        ).scalar_one()
    assert seen == first_seen


def test_order_without_lines_keeps_stored_lines(store: SqlStore, shop_id: int) -> None:
    with_lines = order("1", lines=(line(1), line(2, "SKU-2")))
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, [with_lines])
        header_only = dataclasses.replace(with_lines, lines=(), status=OrderStatus.COMPLETED)
        assert tx.upsert_orders(shop_id, [header_only]) == 1
        stored = tx.get_order(shop_id, "1")
        assert stored == dataclasses.replace(header_only, lines=with_lines.lines)
        # Now the full order as it stands is no change at all.
        assert tx.upsert_orders(shop_id, [stored]) == 0
        # A new order without lines is stored without lines.
        assert tx.upsert_orders(shop_id, [order("2", lines=())]) == 1
        assert tx.get_order(shop_id, "2") == order("2", lines=())


def test_a_phone_masked_once_the_order_is_over_keeps_the_one_seen_before(
    store: SqlStore, shop_id: int
) -> None:
    active = order("1", status=OrderStatus.ACCEPTED_BY_MERCHANT, customer_phone="+77011234567")
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, [active])
        # Kaspi masks the phone of a completed order: the mapping reads it as no phone.
        done = dataclasses.replace(active, status=OrderStatus.COMPLETED, customer_phone=None)
        assert tx.upsert_orders(shop_id, [done]) == 1
        stored = tx.get_order(shop_id, "1")
        assert stored == dataclasses.replace(done, customer_phone="+77011234567")
        assert tx.upsert_orders(shop_id, [done]) == 0  # the same masked order: no change
        # A phone Kaspi does give replaces the stored one.
        moved = dataclasses.replace(done, customer_phone="+77017654321")
        assert tx.upsert_orders(shop_id, [moved]) == 1
        assert tx.get_order(shop_id, "1") == moved


def test_last_duplicate_in_a_batch_wins(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        first = order("1", status=OrderStatus.ACCEPTED_BY_MERCHANT)
        last = order("1", status=OrderStatus.COMPLETED)
        assert tx.upsert_orders(shop_id, [first, last]) == 1
        assert tx.get_order(shop_id, "1") == last


def test_replace_order_lines(store: SqlStore, shop_id: int, clock: Clock) -> None:
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, [order("1", lines=()), order("2", lines=(line(),))])
    clock.advance(minutes=5)
    new_lines = (line(1, "A"), line(2, "B", quantity=3))
    with store.transaction() as tx:
        assert tx.replace_order_lines(shop_id, {"1": new_lines, "2": []}) == 2
        first, second = tx.get_order(shop_id, "1"), tx.get_order(shop_id, "2")
        assert first is not None
        assert first.lines == new_lines
        assert second is not None
        assert second.lines == ()
        # Already so: nothing written, and upserting the order as it now is changes nothing.
        assert tx.replace_order_lines(shop_id, {"1": new_lines}) == 0
        assert tx.upsert_orders(shop_id, [first, second]) == 0
        with pytest.raises(NotFoundError, match="no order with code missing"):
            tx.replace_order_lines(shop_id, {"missing": new_lines})
    assert updated_at(store, shop_id, "1") == clock.now


def test_list_orders_by_creation_with_lines(store: SqlStore, shop_id: int) -> None:
    day = timedelta(days=1)
    orders = [
        order("c", T0 + 2 * day, lines=(line(2, "B"), line(1, "A"))),
        order("a", T0, lines=()),
        order("b", T0 + day, lines=(line(1, "C"),)),
    ]
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, orders)
        listed = tx.list_orders(shop_id)
        assert [o.code for o in listed] == ["a", "b", "c"]
        assert [ln.line_no for ln in listed[2].lines] == [1, 2]
        assert listed[2] == dataclasses.replace(orders[0], lines=(line(1, "A"), line(2, "B")))
        window = tx.list_orders(shop_id, created_from=T0 + day, created_to=T0 + 2 * day)
        assert [o.code for o in window] == ["b"]  # created_to is exclusive
        assert [o.code for o in tx.list_orders(shop_id, created_from=T0 + day)] == ["b", "c"]
        assert [o.code for o in tx.list_orders(shop_id, created_to=T0 + day)] == ["a"]
        # Bounds in another zone mean the same instants.
        local = tx.list_orders(shop_id, created_from=(T0 + day).astimezone(ALMATY))
        assert [o.code for o in local] == ["b", "c"]
        assert tx.order_count(shop_id) == 3


def test_active_orders_are_api_orders_not_final(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        assert tx.oldest_active_created_at(shop_id) is None
        tx.upsert_orders(
            shop_id,
            [
                order("done", T0 - timedelta(days=9), status=OrderStatus.COMPLETED),
                order("gone", T0 - timedelta(days=8), status=OrderStatus.CANCELLED),
                order("back", T0 - timedelta(days=7), status=OrderStatus.RETURNED),
                order("imported", T0 - timedelta(days=6), source=Source.IMPORT),
                order("late", T0 + timedelta(days=1), status=OrderStatus.CANCELLING),
                order("early", T0, status=OrderStatus.APPROVED_BY_BANK),
            ],
        )
        assert tx.active_order_codes(shop_id) == ["early", "late"]
        assert tx.oldest_active_created_at(shop_id) == T0


def test_naive_datetime_is_refused(store: SqlStore, shop_id: int) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.transaction() as tx:
        tx.upsert_orders(shop_id, [order("1", created_at=datetime(2025, 8, 1, 12))])


def test_sub_tiyn_amount_is_refused(store: SqlStore, shop_id: int) -> None:
    with pytest.raises(Exception, match="at most 2 decimal places"), store.transaction() as tx:
        tx.upsert_orders(shop_id, [order("1", total_price=Decimal("0.001"))])


# ------------------------------------------------------------------ transactions


class Boom(Exception):
    pass


def test_failed_unit_of_work_leaves_nothing(store: SqlStore, shop_id: int) -> None:
    def import_that_fails_half_way() -> None:
        with store.transaction() as tx:
            tx.upsert_products(shop_id, [Product(sku="A", name="A")])
            tx.upsert_orders(shop_id, [order(str(code)) for code in range(10)])
            tx.upsert_reviews(shop_id, [Review(key="r", rating=5, created_at=T0)])
            tx.set_sync_watermark(shop_id, "NEW", T0)
            raise Boom("half-way through an import")

    with pytest.raises(Boom):
        import_that_fails_half_way()
    with store.transaction() as tx:
        assert tx.order_count(shop_id) == 0
        assert tx.list_products(shop_id) == []
        assert tx.list_reviews(shop_id) == []
        assert tx.sync_watermarks(shop_id) == {}


def test_failing_statement_rolls_back_earlier_writes(store: SqlStore, shop_id: int) -> None:
    bad = Return(
        key="1/A", order_code="1", sku="A", quantity=0, reason=ReturnReason.OTHER, created_at=T0
    )

    def write_then_violate_a_constraint() -> None:
        with store.transaction() as tx:
            tx.upsert_orders(shop_id, [order("1")])
            tx.upsert_returns(shop_id, [bad])

    with pytest.raises(IntegrityError, match="ck_returns_quantity"):
        write_then_violate_a_constraint()
    with store.transaction() as tx:
        assert tx.order_count(shop_id) == 0


# ------------------------------------------------------------------ catalog


def test_product_merge_never_overwrites_with_none(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    imported = Product(
        sku="A", name="Чайник", category="Kitchen", weight_kg=Decimal("1.250"), stock=7
    )
    from_api = Product(sku="A", name="Чайник электрический", kaspi_product_code="100500")
    with store.transaction() as tx:
        assert tx.upsert_products(shop_id, [imported]) == 1
        assert tx.upsert_products(shop_id, [from_api]) == 1
        merged = Product(
            sku="A",
            name="Чайник электрический",
            category="Kitchen",
            weight_kg=Decimal("1.25"),
            stock=7,
            kaspi_product_code="100500",
        )
        assert tx.list_products(shop_id) == [merged]
        assert tx.upsert_products(shop_id, [from_api, imported]) == 1  # name back to the file's
        assert tx.upsert_products(shop_id, [imported]) == 0
        assert tx.upsert_products(shop_id, [Product(sku="A", name="Чайник")]) == 0
        assert tx.upsert_products(shop_id, [dataclasses.replace(imported, stock=0)]) == 1
        products = tx.list_products(shop_id)
        assert products[0].stock == 0
        assert products[0].kaspi_product_code == "100500"
        assert str(products[0].weight_kg) == "1.250"
        assert tx.existing_skus(shop_id, ["A", "B"]) == {"A"}


def test_products_in_one_batch_merge_too(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        written = tx.upsert_products(
            shop_id,
            [
                Product(sku="B", name="b", stock=3),
                Product(sku="A", name="a"),
                Product(sku="B", name="b2", brand="X"),
            ],
        )
        assert written == 2
        assert tx.list_products(shop_id) == [
            Product(sku="A", name="a"),
            Product(sku="B", name="b2", brand="X", stock=3),
        ]


def test_costs_by_effective_date(store: SqlStore, shop_id: int) -> None:
    costs = [
        ProductCost("B", date(2025, 1, 1), Decimal("100")),
        ProductCost("A", date(2025, 6, 1), Decimal("2500.50")),
        ProductCost("A", date(2025, 1, 1), Decimal("2000")),
    ]
    with store.transaction() as tx:
        assert tx.add_product_costs(shop_id, costs) == 3
        assert tx.add_product_costs(shop_id, costs) == 0
        assert tx.product_costs(shop_id) == [costs[2], costs[1], costs[0]]
        replaced = ProductCost("A", date(2025, 6, 1), Decimal("2400"))
        assert tx.add_product_costs(shop_id, [replaced, costs[2]]) == 1
        assert tx.product_costs(shop_id, "A") == [costs[2], replaced]
        assert tx.product_costs(shop_id, "nope") == []
        assert str(tx.product_costs(shop_id, "B")[0].purchase_cost) == "100.00"


# ------------------------------------------------------------------ reviews and returns


def review(key: str, approved: datetime | None, **changes: object) -> Review:
    base = Review(key=key, rating=5, created_at=T0, approved_at=approved, text="Отлично")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_reviews_round_trip_and_upsert(store: SqlStore, shop_id: int) -> None:
    everything = Review(
        key="rev-1",
        rating=1,
        created_at=T0,
        text="Плохо",
        approved_at=T0 + timedelta(days=1),
        deleted_at=T0 + timedelta(days=3),
        order_code="100001",
        sku="SKU-1",
        author="Ерлан",
        source=Source.IMPORT,
    )
    sparse = Review(key="rev-2", rating=4, created_at=T0 - timedelta(days=1))
    with store.transaction() as tx:
        assert tx.upsert_reviews(shop_id, [everything, sparse]) == 2
        assert tx.upsert_reviews(shop_id, [everything, sparse]) == 0
        assert tx.list_reviews(shop_id) == [sparse, everything]
        edited = dataclasses.replace(sparse, rating=3)
        assert tx.upsert_reviews(shop_id, [everything, edited]) == 1
        assert tx.list_reviews(shop_id) == [edited, everything]


def test_rating_out_of_range_is_refused(store: SqlStore, shop_id: int) -> None:
    with pytest.raises(IntegrityError, match="ck_reviews_rating"), store.transaction() as tx:
        tx.upsert_reviews(shop_id, [review("r", None, rating=6)])


def test_deleted_reviews_leave_the_window(store: SqlStore, shop_id: int) -> None:
    start, end = T0, T0 + timedelta(days=30)
    with store.transaction() as tx:
        tx.upsert_reviews(
            shop_id,
            [
                review("in", start),
                review("in-2", end - timedelta(microseconds=1)),
                review("at-end", end),
                review("before", start - timedelta(microseconds=1)),
                review("unapproved", None),
                review("imported", start, source=Source.IMPORT),
            ],
        )
        assert tx.review_keys_approved_between(shop_id, start, end) == {"in", "in-2"}
        deleted_at = end + timedelta(days=1)
        assert tx.mark_reviews_deleted(shop_id, ["in", "in", "no-such"], deleted_at) == 1
        assert tx.review_keys_approved_between(shop_id, start, end) == {"in-2"}
        # Marking again keeps the first time it was seen gone.
        assert tx.mark_reviews_deleted(shop_id, ["in"], deleted_at + timedelta(days=1)) == 0
        gone = next(r for r in tx.list_reviews(shop_id) if r.key == "in")
        assert gone.deleted_at == deleted_at


def a_return(key: str = "1/A", **changes: object) -> Return:
    base = Return(
        key=key,
        order_code="1",
        sku="A",
        quantity=1,
        reason=ReturnReason.UNKNOWN,
        created_at=T0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_returns_round_trip_and_known_reason_wins(store: SqlStore, shop_id: int) -> None:
    from_file = a_return(reason=ReturnReason.QUALITY, quantity=2, source=Source.IMPORT)
    from_api = a_return(quantity=2)
    other = a_return("2/B", order_code="2", sku="B", reason=ReturnReason.OTHER)
    with store.transaction() as tx:
        assert tx.upsert_returns(shop_id, [from_file, other]) == 2
        assert tx.upsert_returns(shop_id, [from_file, other]) == 0
        assert tx.list_returns(shop_id) == [from_file, other]
        # The API knows no reason: the file's stays (the source is the latest reporter's).
        assert tx.upsert_returns(shop_id, [from_api]) == 1
        assert tx.list_returns(shop_id)[0] == dataclasses.replace(
            from_api, reason=ReturnReason.QUALITY
        )
        assert tx.upsert_returns(shop_id, [from_api]) == 0
        # A known reason does replace another known one.
        assert tx.upsert_returns(shop_id, [dataclasses.replace(from_file, reason="other")]) == 1
        assert tx.list_returns(shop_id)[0].reason == ReturnReason.OTHER


def test_return_reason_must_be_known_value(store: SqlStore, shop_id: int) -> None:
    with pytest.raises(IntegrityError, match="ck_returns_reason"), store.transaction() as tx:
        tx.upsert_returns(shop_id, [a_return(reason="broken")])


def test_deleting_a_shop_deletes_its_data(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        tx.upsert_orders(shop_id, [full_order()])
        tx.upsert_reviews(shop_id, [review("r", T0)])
    with store.engine.begin() as conn:
        conn.execute(tables.shops.delete().where(tables.shops.c.id == shop_id))
    with store.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            assert conn.execute(select(table)).first() is None, table.name
