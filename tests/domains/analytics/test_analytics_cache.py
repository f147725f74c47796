"""``AnalyticsService.sales`` keeps a shop's costed sales while its data revision holds: the same
figures as a fresh service, rebuilt after any change, built once for callers arriving together."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, event

from saudager.adapters.db.store import SqlStore
from saudager.domains.analytics.service import AnalyticsService, ShopSales
from saudager.domains.catalog.types import ProductCost
from saudager.domains.quality.eligibility import DEFAULT_JUMA_CALENDAR
from saudager.domains.shops.types import Shop
from small_shop import ANALYTICS_RULES, add_small_shop, local, sold

CALENDAR = tuple((w.start, w.end) for w in DEFAULT_JUMA_CALENDAR)
AUGUST = (date(2025, 8, 1), date(2025, 8, 31))


@pytest.fixture
def store(sqlite_engine: Engine) -> SqlStore:
    return SqlStore(sqlite_engine)


@pytest.fixture
def shop(store: SqlStore) -> Shop:
    return add_small_shop(store)


def _service(store: SqlStore, shops: int = 8) -> AnalyticsService:
    return AnalyticsService(store, ANALYTICS_RULES, CALENDAR, cached_shops=shops)


def _same(a: ShopSales, b: ShopSales) -> None:
    for name in ("lines", "costed", "costs", "ad_spend"):
        assert_frame_equal(getattr(a, name), getattr(b, name))
    # The commission table is unique by key, in no particular order.
    assert_frame_equal(a.commissions, b.commissions, check_row_order=False)
    assert a.stock == b.stock and a.shop == b.shop


def _august(service: AnalyticsService, sales: ShopSales) -> dict[str, Any]:
    return service.summary(sales, AUGUST, None).row(0, named=True)


@pytest.fixture
def line_reads(sqlite_engine: Engine) -> Iterator[list[str]]:
    """Every statement that reads the order lines: one per load of a shop's sales."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM order_lines JOIN orders" in statement:
            seen.append(statement)

    event.listen(sqlite_engine, "before_cursor_execute", record)
    yield seen
    event.remove(sqlite_engine, "before_cursor_execute", record)


def test_the_sales_are_kept_while_nothing_changes(
    store: SqlStore, shop: Shop, line_reads: list[str]
) -> None:
    service = _service(store)
    first = service.sales(shop)
    assert service.sales(shop) is first
    assert (service.cache.builds, len(line_reads)) == (1, 1)
    _same(first, _service(store).sales(shop))


def test_a_new_order_or_cost_is_seen_by_the_next_call(store: SqlStore, shop: Shop) -> None:
    service = _service(store)
    before = _august(service, service.sales(shop))
    with store.transaction() as tx:
        tx.upsert_orders(shop.id, [sold("N", local(2025, 8, 30, 9, 0), 10)])
    after_order = service.sales(shop)
    assert _august(service, after_order)["revenue_tiyn"] == before["revenue_tiyn"] + 1_000_000
    with store.transaction() as tx:
        tx.add_product_costs(shop.id, [ProductCost("SKU-1", date(2025, 8, 1), Decimal("700"))])
    after_cost = service.sales(shop)
    # From 1 August every unit kept costs 100 ₸ more.
    units = _august(service, after_cost)["units"]
    assert _august(service, after_cost)["profit_tiyn"] == (
        _august(service, after_order)["profit_tiyn"] - units * 10_000
    )
    assert service.cache.builds == 3
    _same(after_cost, _service(store).sales(shop))


def test_a_new_time_zone_or_name(store: SqlStore, shop: Shop) -> None:
    service = _service(store)
    first = service.sales(shop)
    renamed = service.sales(dataclasses.replace(shop, name="renamed"))
    assert renamed.shop.name == "renamed" and renamed.costed is first.costed
    moved = service.sales(dataclasses.replace(shop, timezone="Europe/Moscow"))
    assert service.cache.builds == 2
    # 00:00 in Almaty on 25 August is still 24 August in Moscow.
    c = moved.lines.filter(pl.col("order_code") == "C")
    assert c["sale_day"].to_list() == [date(2025, 8, 24)]


def test_callers_arriving_together_load_the_shop_once(
    store: SqlStore, shop: Shop, line_reads: list[str]
) -> None:
    service = _service(store)
    start = threading.Barrier(20)

    def ask() -> ShopSales:
        start.wait(5)
        return service.sales(shop)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: ask(), range(20)))
    assert all(result is results[0] for result in results)
    assert (service.cache.builds, len(line_reads)) == (1, 1)


def test_only_the_most_recently_used_shops_are_kept(store: SqlStore, shop: Shop) -> None:
    other = add_small_shop(store, "other")
    service = _service(store, shops=1)
    service.sales(shop)
    service.sales(other)
    service.sales(shop)
    assert (service.cache.builds, len(service.cache)) == (3, 1)
