"""The quality guard on a synced shop: the service, and the same data through a file import."""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.adapters.files.readers import TabularFileReader
from saudager.adapters.kaspi.client import KaspiClient
from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig, running_simulator
from saudager.adapters.notify.log import LogNotifier
from saudager.core.timewindows import from_epoch_ms, local_day, zone
from saudager.domains.imports.service import ImportService
from saudager.domains.orders.service import SyncService
from saudager.domains.orders.sync import SyncPolicy
from saudager.domains.quality import views
from saudager.domains.quality.service import QualityService
from saudager.domains.quality.types import Indicator, QualityRules
from saudager.domains.shops.types import Shop
from small_shop import guard_rules

TOKEN = "quality-test-token"
END = datetime(2026, 3, 2, tzinfo=UTC)
TZ = "Asia/Almaty"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimConfig(seed=31, start=END - timedelta(days=75), end=END, orders_per_day=40.0,
                       sku_count=30)  # fmt: skip
    with running_simulator(config, TOKEN) as running:
        yield running


@pytest.fixture
def store(engine: Engine) -> SqlStore:
    return SqlStore(engine)


@pytest.fixture
def synced(store: SqlStore, sim: RunningSimulator, tmp_path: Path) -> Shop:
    with store.transaction() as tx:
        shop = tx.add_shop("api", TZ, sim.base_url, b"unused")
    policy = SyncPolicy(timedelta(days=90), timedelta(hours=72), timedelta(days=30))
    now = from_epoch_ms(sim.simulation.world.now_ms) + timedelta(milliseconds=1)
    with KaspiClient(sim.base_url, TOKEN, requests_per_second=1000) as client:
        SyncService(store, policy, timedelta(days=90)).sync(shop, client, now)
    # The cabinet's returns file says why each order came back (the API does not).
    returns = httpx.get(f"{sim.admin_url}/returns.csv").content.decode()
    path = tmp_path / "cabinet-returns.csv"
    path.write_text(returns, encoding="utf-8")
    ImportService(store, TabularFileReader()).import_files(shop, [path], "returns")
    return shop


TODAY = local_day(END, TZ)


def test_report_has_every_indicator_keyed_by_name_and_is_traceable(
    store: SqlStore, synced: Shop
) -> None:
    service = QualityService(store, guard_rules())
    report = service.report(synced, TODAY)
    data = views.report_json(report)
    assert set(data["indicators"]) == {i.value for i in Indicator}
    late = report.indicators[Indicator.LATE_HANDOVERS]
    assert late.denominator > 100 and 0 < late.numerator < late.denominator
    explained = service.explain(synced, Indicator.LATE_HANDOVERS, TODAY)
    assert sum(f.numerator for f in explained.facts) == late.numerator
    assert sum(f.denominator for f in explained.facts) == late.denominator
    # The daily history is stored, backfilled to the first order, and today's row matches.
    history = service.history(synced, None, TODAY)
    days = {snap.day for snap in history}
    assert min(days) <= TODAY - timedelta(days=70) and max(days) == TODAY
    [today_late] = [s for s in history if s.day == TODAY and s.indicator == "late_handovers"]
    assert (today_late.numerator, today_late.denominator) == (late.numerator, late.denominator)


def test_alerts_are_sent_once_per_condition(
    store: SqlStore, synced: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    service = QualityService(store, guard_rules())
    now = END - timedelta(hours=1)
    with caplog.at_level(logging.WARNING, logger="saudager.alerts"):
        first = service.check_alerts(synced, now, LogNotifier())
        again = service.check_alerts(synced, now + timedelta(minutes=10), LogNotifier())
    assert first, "the simulated shop has at least one condition to report"
    assert again == []
    assert len([r for r in caplog.records if r.name == "saudager.alerts"]) == len(first)


def _local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(zone(TZ)).isoformat()


def _export(store: SqlStore, shop: Shop, folder: Path) -> list[Path]:
    """The synced shop written out in the import formats, as a seller's files would be."""
    with store.transaction() as tx:
        orders, reviews, returns = (
            tx.list_orders(shop.id), tx.list_reviews(shop.id), tx.list_returns(shop.id)
        )  # fmt: skip
    files = {
        "orders": (["order_code", "created_at", "status", "total_price", "state",
                    "cancellation_reason", "cancelled_by", "cancelled_at", "delivery_mode",
                    "is_kaspi_delivery", "handover_deadline", "handed_over_at", "delivered_at"],
                   [[o.code, _local(o.created_at), o.status, o.total_price, o.state,
                     o.cancellation_reason or "", o.cancelled_by or "", _local(o.cancelled_at),
                     o.delivery_mode or "", "yes" if o.is_kaspi_delivery else "no",
                     _local(o.handover_deadline), _local(o.handed_over_at),
                     _local(o.completed_at)] for o in orders]),
        "order_lines": (["order_code", "sku", "quantity", "unit_price"],
                        [[o.code, line.sku, line.quantity, line.unit_price]
                         for o in orders for line in o.lines]),
        "reviews": (["rating", "created_at", "order_code", "approved_at", "deleted"],
                    [[r.rating, _local(r.created_at), r.order_code or "", _local(r.approved_at),
                      "yes" if r.deleted_at else "no"] for r in reviews]),
        "returns": (["order_code", "sku", "quantity", "reason", "created_at"],
                    [[r.order_code, r.sku, r.quantity,
                      r.reason if r.reason != "unknown" else "other", _local(r.created_at)]
                     for r in returns]),
    }  # fmt: skip
    paths = []
    for kind, (header, rows) in files.items():
        path = folder / f"{kind}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        paths.append(path)
    return paths


def test_the_same_data_imported_from_files_gives_the_same_indicators(
    store: SqlStore, synced: Shop, tmp_path: Path
) -> None:
    with store.transaction() as tx:
        imported = tx.add_shop("files", TZ, None, None)
        unknown = [r for r in tx.list_returns(synced.id) if r.reason == "unknown"]
        deleted = [r for r in tx.list_reviews(synced.id) if r.deleted_at is not None]
    assert not unknown, "every return got its reason from the cabinet file"
    assert not deleted, "a first sync sees no deletions (files cannot say when one happened)"
    ImportService(store, TabularFileReader()).import_files(
        imported, _export(store, synced, tmp_path)
    )
    service = QualityService(store, guard_rules())
    for as_of in (TODAY, TODAY - timedelta(days=1), TODAY - timedelta(days=29), date(2026, 1, 20)):
        from_api = service.report(synced, as_of).indicators
        from_files = service.report(imported, as_of).indicators
        for indicator in Indicator:
            a, b = from_api[indicator], from_files[indicator]
            assert (a.numerator, a.denominator, a.value, a.status) == (
                b.numerator, b.denominator, b.value, b.status,
            ), f"{indicator} as of {as_of}"  # fmt: skip


def test_columns_read_from_the_store_give_the_same_facts_as_the_objects(
    store: SqlStore, synced: Shop
) -> None:
    from saudager.domains.quality.facts import build_facts, facts_from_frames

    rules = QualityRules()
    with store.transaction() as tx:
        frames = tx.quality_frames(synced.id)
        objects = tx.list_orders(synced.id), tx.list_reviews(synced.id), tx.list_returns(synced.id)
    from_frames = facts_from_frames(*frames, rules).sort(["indicator", "ref", "at"])
    from_objects = build_facts(*objects, rules).sort(["indicator", "ref", "at"])
    assert from_frames.height > 1000
    assert from_frames.equals(from_objects)
