"""Quality snapshots and the alert log, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from saudager.adapters.db.store import SqlStore
from saudager.domains.quality.records import SentAlert, Snapshot


def test_snapshots_upsert_by_day_and_indicator(store: SqlStore, shop_id: int) -> None:
    first = [
        Snapshot(date(2026, 3, 1), "late_handovers", 3, 40, Decimal("7.50"), "warning"),
        Snapshot(date(2026, 3, 1), "rating", 460, 100, Decimal("4.60"), "ok"),
        Snapshot(date(2026, 3, 2), "late_handovers", 0, 0, None, "not_enough_data"),
    ]
    with store.transaction() as tx:
        assert tx.save_quality_snapshots(shop_id, first) == 3
    corrected = Snapshot(date(2026, 3, 1), "late_handovers", 4, 40, Decimal("10.00"), "critical")
    with store.transaction() as tx:
        tx.save_quality_snapshots(shop_id, [corrected])
        stored = tx.quality_snapshots(shop_id)
        assert stored == [corrected, first[1], first[2]]
        assert tx.quality_snapshots(shop_id, date(2026, 3, 2), date(2026, 3, 2)) == [first[2]]


def test_an_alert_key_is_recorded_once(store: SqlStore, shop_id: int) -> None:
    alert = SentAlert("late_handovers:critical:2026-03-01", "breach", "Опоздания 10 %",
                      datetime(2026, 3, 1, 9, 0, tzinfo=UTC))  # fmt: skip
    with store.transaction() as tx:
        assert tx.record_alert(shop_id, alert) is True
        assert tx.record_alert(shop_id, alert) is False
        assert tx.sent_alert_keys(shop_id) == {alert.key}
        assert tx.sent_alerts(shop_id) == [alert]
