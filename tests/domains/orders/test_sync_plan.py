from datetime import UTC, datetime, timedelta

from saudager.domains.orders.sync import STATE_ORDER, SyncPolicy, plan_scans

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
POLICY = SyncPolicy(
    history=timedelta(days=180), overlap=timedelta(hours=72), rescan_limit=timedelta(days=30)
)


def test_first_sync_reads_the_whole_history_in_14_day_windows_per_state() -> None:
    scans = plan_scans(NOW, {}, None, POLICY)
    assert [scan.state for scan in scans] == list(STATE_ORDER)
    for scan in scans:
        assert scan.windows[0].start == NOW - timedelta(days=180)
        assert scan.windows[-1].end == NOW
        assert len(scan.windows) == 13  # 12 × 14 days + 12 days
        assert all(w.end - w.start <= timedelta(days=14) for w in scan.windows)


def test_next_sync_starts_one_overlap_before_the_watermark() -> None:
    marks = {state: NOW - timedelta(hours=1) for state in STATE_ORDER}
    scans = plan_scans(NOW, marks, None, POLICY)
    assert all(scan.windows[0].start == NOW - timedelta(hours=73) for scan in scans)
    assert all(len(scan.windows) == 1 for scan in scans)


def test_an_older_active_order_pulls_the_start_back_but_not_past_the_limit() -> None:
    marks = {state: NOW for state in STATE_ORDER}
    ten_days = plan_scans(NOW, marks, NOW - timedelta(days=10), POLICY)
    assert all(scan.windows[0].start == NOW - timedelta(days=10) for scan in ten_days)
    ninety = plan_scans(NOW, marks, NOW - timedelta(days=90), POLICY)
    assert all(scan.windows[0].start == NOW - timedelta(days=30) for scan in ninety)


def test_a_state_never_read_starts_from_the_history_even_when_others_were() -> None:
    marks = {"NEW": NOW - timedelta(hours=2)}
    scans = {scan.state: scan for scan in plan_scans(NOW, marks, None, POLICY)}
    assert scans["NEW"].windows[0].start == NOW - timedelta(hours=74)
    assert scans["ARCHIVE"].windows[0].start == NOW - timedelta(days=180)
