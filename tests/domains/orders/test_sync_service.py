"""Sync through the real client over loopback HTTP into a real database (SQLite, PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine
from sync_helpers import TOKEN, sim_config, sim_now, truth, utc, visible_review_count

from saudager.adapters.db.store import SqlStore
from saudager.adapters.kaspi.client import KaspiClient
from saudager.adapters.kaspi.simulator import RunningSimulator, running_simulator
from saudager.domains.orders.service import SyncService
from saudager.domains.orders.sync import SyncPolicy
from saudager.domains.shops.types import Shop

END = utc(2026, 3, 2)
POLICY = SyncPolicy(
    history=timedelta(days=60), overlap=timedelta(hours=72), rescan_limit=timedelta(days=30)
)
REVIEW_DAYS = 90


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    # The clock starts six days before the last generated order, so advancing it brings new
    # orders as well as moving the old ones along.
    with running_simulator(sim_config(END), TOKEN, now=END - timedelta(days=6)) as running:
        yield running


@pytest.fixture
def store(engine: Engine) -> SqlStore:
    return SqlStore(engine)


@pytest.fixture
def shop(store: SqlStore, sim: RunningSimulator) -> Shop:
    with store.transaction() as tx:
        return tx.add_shop("sim", "Asia/Almaty", sim.base_url, b"unused")


def _client(sim: RunningSimulator, **kwargs: float) -> KaspiClient:
    return KaspiClient(sim.base_url, TOKEN, requests_per_second=1000, backoff_seconds=0.0, **kwargs)


def _sync(store: SqlStore, shop: Shop, sim: RunningSimulator, **client_kwargs: float):  # type: ignore[no-untyped-def]
    service = SyncService(store, POLICY, review_window=timedelta(days=REVIEW_DAYS))
    with _client(sim, **client_kwargs) as client:
        # One millisecond past the simulator's now, so that an order created at now is read.
        return service.sync(shop, client, sim_now(sim) + timedelta(milliseconds=1))


def _stored(store: SqlStore, shop: Shop) -> dict[str, tuple[str, str]]:
    with store.transaction() as tx:
        return {o.code: (o.state, o.status) for o in tx.list_orders(shop.id)}


def test_first_sync_stores_every_order_product_return_and_review(
    store: SqlStore, shop: Shop, sim: RunningSimulator
) -> None:
    result = _sync(store, shop, sim)
    expected = truth(sim)
    assert _stored(store, shop) == expected
    assert result.orders_written == len(expected)
    with store.transaction() as tx:
        orders = tx.list_orders(shop.id)
        products = {p.sku: p for p in tx.list_products(shop.id)}
        returns = tx.list_returns(shop.id)
        reviews = tx.list_reviews(shop.id)
        runs = tx.sync_runs(shop.id)
    assert all(order.lines for order in orders)
    skus = {line.sku for order in orders for line in order.lines}
    assert set(products) == skus
    assert all(p.kaspi_product_code for p in products.values())
    returned = {o.code for o in orders if o.status == "RETURNED"}
    assert {r.order_code for r in returns} == returned
    assert all(r.reason == "unknown" for r in returns)
    assert len(reviews) == visible_review_count(sim, REVIEW_DAYS) == result.reviews_seen
    assert runs[0].status == "succeeded" and runs[0].orders_written == len(expected)


def test_a_second_sync_changes_nothing(store: SqlStore, shop: Shop, sim: RunningSimulator) -> None:
    _sync(store, shop, sim)
    with store.transaction() as tx:
        before = tx.list_orders(shop.id)
        revision = tx.data_revision(shop.id)
    assert revision > 0  # the first sync wrote, and so moved the shop's data revision
    again = _sync(store, shop, sim)
    assert again.orders_seen > 0
    assert (again.orders_written, again.returns_written, again.products_written) == (0, 0, 0)
    assert (again.reviews_written, again.reviews_deleted) == (0, 0)
    with store.transaction() as tx:
        assert tx.list_orders(shop.id) == before
        # Nothing written: what was computed from the shop's data still holds.
        assert tx.data_revision(shop.id) == revision


def test_after_time_passes_sync_follows_orders_and_deleted_reviews(
    store: SqlStore, shop: Shop, sim: RunningSimulator
) -> None:
    _sync(store, shop, sim)
    with store.transaction() as tx:
        before = {order.code: order for order in tx.list_orders(shop.id)}
    response = httpx.post(f"{sim.admin_url}/clock", json={"advance_seconds": 5 * 86_400})
    assert response.status_code == 200
    result = _sync(store, shop, sim)
    after = truth(sim)
    assert _stored(store, shop) == after
    with store.transaction() as tx:
        now_stored = {order.code: order for order in tx.list_orders(shop.id)}
    moved = {code for code in before if (before[code].state, before[code].status) != after[code]}
    changed = {code for code in before if before[code] != now_stored[code]}
    new = set(after) - set(before)
    assert moved and new and moved <= changed
    # Handovers recorded without a change of status count as changes too.
    assert result.orders_written == len(changed) + len(new)
    world = sim.simulation.world
    since = world.now_ms - REVIEW_DAYS * 86_400_000
    gone = {
        review.kaspi_id
        for review in world.shop.reviews
        if review.deleted_ms is not None
        and since <= review.approved_ms
        and review.deleted_ms <= world.now_ms
    }
    with store.transaction() as tx:
        deleted = {r.key for r in tx.list_reviews(shop.id) if r.deleted_at is not None}
    assert deleted <= gone
    assert result.reviews_deleted == len(deleted)


def test_sync_rides_out_random_faults(store: SqlStore, shop: Shop, sim: RunningSimulator) -> None:
    faults = sim.simulation.faults
    faults.fault_rate, faults.timeout_seconds, faults.retry_after_seconds = 0.15, 1.0, 0
    try:
        _sync(store, shop, sim, max_retries=8, timeout_seconds=0.5)
    finally:
        faults.fault_rate = 0.0
    assert faults.injected > 5
    assert _stored(store, shop) == truth(sim)


def test_no_token_or_phone_reaches_the_logs(
    store: SqlStore, shop: Shop, sim: RunningSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.simulation.faults.queue("503", count=2)  # retries log their reason
    with caplog.at_level(logging.DEBUG):
        _sync(store, shop, sim)
    with store.transaction() as tx:
        phones = {o.customer_phone for o in tx.list_orders(shop.id) if o.customer_phone}
    assert phones
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "retrying" in logged
    assert TOKEN not in logged
    assert not [phone for phone in phones if phone[2:] in logged]
