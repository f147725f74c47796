"""The quality guard keeps a shop's facts and each day's figures while its data revision holds:
the same results as a fresh service, the daily history stored when a day is first computed,
every change seen by the next call, one build for callers arriving together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from saudager.adapters.db import tables
from saudager.adapters.db.store import SqlStore
from saudager.domains.orders.types import Review
from saudager.domains.quality.service import QualityReport, QualityService
from saudager.domains.quality.types import Indicator
from saudager.domains.shops.types import Shop
from small_shop import TODAY, add_small_shop, guard_rules, local


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 9, 1, 5, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(sqlite_engine: Engine, clock: Clock) -> SqlStore:
    return SqlStore(sqlite_engine, clock=clock)


@pytest.fixture
def shop(store: SqlStore) -> Shop:
    return add_small_shop(store)


def _stamps(store: SqlStore, shop: Shop) -> tuple[int, datetime | None]:
    """How many snapshots are stored, and when the newest was computed."""
    table = tables.quality_snapshots
    with store.engine.connect() as conn:
        count, newest = conn.execute(
            select(func.count(), func.max(table.c.computed_at)).where(table.c.shop_id == shop.id)
        ).one()
    return count, newest if newest is None or isinstance(newest, datetime) else None


def _builds(service: QualityService) -> tuple[int, int, int]:
    return (
        service.facts_cache.builds,
        service.computed_cache.builds,
        service.outlook_cache.builds,
    )


def test_every_result_equals_a_fresh_services(store: SqlStore, shop: Shop) -> None:
    kept = QualityService(store, guard_rules())
    for _ in range(2):
        report = kept.report(shop, TODAY)
        explained = kept.explain(shop, Indicator.SELLER_CANCELLATIONS, TODAY)
        ahead = kept.outlook(shop, TODAY, 14)
        recent = kept.recent_history(shop, TODAY, 90)
    assert _builds(kept) == (1, 1, 1)
    fresh = lambda: QualityService(store, guard_rules())  # noqa: E731
    assert report == fresh().report(shop, TODAY)
    assert explained == fresh().explain(shop, Indicator.SELLER_CANCELLATIONS, TODAY)
    assert ahead == fresh().outlook(shop, TODAY, 14)
    assert recent == fresh().recent_history(shop, TODAY, 90)
    # The small shop's figures (tests/small_shop.py).
    cancellations = report.indicators[Indicator.SELLER_CANCELLATIONS]
    assert (cancellations.numerator, cancellations.denominator) == (1, 10)


def test_history_is_stored_when_a_day_is_first_computed_not_on_every_call(
    store: SqlStore, shop: Shop, clock: Clock
) -> None:
    service = QualityService(store, guard_rules())
    service.report(shop, TODAY)
    count, first_stamp = _stamps(store, shop)
    # 63 days (1 July, the day before the first order, to 1 September) × 5 indicators.
    assert (count, first_stamp) == (63 * 5, clock.now)
    clock.now += timedelta(minutes=5)
    service.report(shop, TODAY)
    service.explain(shop, Indicator.RATING, TODAY)
    service.recent_history(shop, TODAY)
    assert _stamps(store, shop) == (63 * 5, first_stamp)  # nothing written again
    # A new day is computed, and stored.
    clock.now += timedelta(days=1)
    service.report(shop, TODAY + timedelta(days=1))
    assert _stamps(store, shop) == (64 * 5, clock.now)
    # So is the same day after the data changed.
    clock.now += timedelta(minutes=5)
    with store.transaction() as tx:
        tx.upsert_reviews(shop.id, [_review("late-one", 1)])
    service.report(shop, TODAY + timedelta(days=1))
    assert _stamps(store, shop) == (64 * 5, clock.now)


def _review(key: str, stars: int) -> Review:
    return Review(
        key=key, rating=stars, created_at=local(2025, 8, 29, 9, 0),
        approved_at=local(2025, 8, 30, 9, 0),
    )  # fmt: skip


def test_a_change_is_seen_by_the_next_call(store: SqlStore, shop: Shop) -> None:
    service = QualityService(store, guard_rules())
    before = service.report(shop, TODAY).indicators[Indicator.RATING]
    with store.transaction() as tx:
        tx.upsert_reviews(shop.id, [_review("angry", 1)])
    after = service.report(shop, TODAY)
    rating = after.indicators[Indicator.RATING]
    assert (rating.numerator, rating.denominator) == (before.numerator + 1, before.denominator + 1)
    assert after == QualityService(store, guard_rules()).report(shop, TODAY)
    with store.transaction() as tx:
        tx.mark_reviews_deleted(shop.id, ["angry"], local(2025, 8, 31, 9, 0))
    assert service.report(shop, TODAY).indicators[Indicator.RATING] == before
    assert service.facts_cache.builds == 3


def test_callers_arriving_together_build_once(store: SqlStore, shop: Shop) -> None:
    service = QualityService(store, guard_rules())
    start = threading.Barrier(20)

    def ask(call: Callable[[], QualityReport]) -> QualityReport:
        start.wait(5)
        return call()

    with ThreadPoolExecutor(max_workers=20) as pool:
        reports = list(pool.map(lambda _: ask(lambda: service.report(shop, TODAY)), range(20)))
    assert all(report == reports[0] for report in reports)
    assert _builds(service)[:2] == (1, 1)
