"""Send windows: edges, midnight crossings, zone changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saudager.domains.messaging.windows import SendWindow, is_open, next_send_time

ALMATY = ZoneInfo("Asia/Almaty")  # UTC+5 since 1 March 2024
DEFAULT = SendWindow()
NIGHT = SendWindow(time(20, 0), time(2, 0))


def local(y: int, mo: int, d: int, h: int, mi: int = 0, s: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, s, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("window", "moment", "expected_open", "expected_next"),
    [
        # default 10:00–21:00: the start is inside, the end is not
        (DEFAULT, local(2026, 5, 4, 10, 0), True, local(2026, 5, 4, 10, 0)),
        (DEFAULT, local(2026, 5, 4, 9, 59, 59), False, local(2026, 5, 4, 10, 0)),
        (DEFAULT, local(2026, 5, 4, 20, 59, 59), True, local(2026, 5, 4, 20, 59, 59)),
        (DEFAULT, local(2026, 5, 4, 21, 0), False, local(2026, 5, 5, 10, 0)),
        (DEFAULT, local(2026, 5, 4, 23, 30), False, local(2026, 5, 5, 10, 0)),
        (DEFAULT, local(2026, 5, 5, 0, 0), False, local(2026, 5, 5, 10, 0)),
        (DEFAULT, local(2026, 5, 5, 3, 15), False, local(2026, 5, 5, 10, 0)),
        # the last day of a year waits for the next year's first morning
        (DEFAULT, local(2026, 12, 31, 22, 0), False, local(2027, 1, 1, 10, 0)),
        # 20:00–02:00 crosses midnight
        (NIGHT, local(2026, 5, 4, 19, 59, 59), False, local(2026, 5, 4, 20, 0)),
        (NIGHT, local(2026, 5, 4, 20, 0), True, local(2026, 5, 4, 20, 0)),
        (NIGHT, local(2026, 5, 4, 23, 59, 59), True, local(2026, 5, 4, 23, 59, 59)),
        (NIGHT, local(2026, 5, 5, 0, 0), True, local(2026, 5, 5, 0, 0)),
        (NIGHT, local(2026, 5, 5, 1, 59, 59), True, local(2026, 5, 5, 1, 59, 59)),
        (NIGHT, local(2026, 5, 5, 2, 0), False, local(2026, 5, 5, 20, 0)),
        (NIGHT, local(2026, 5, 5, 12, 0), False, local(2026, 5, 5, 20, 0)),
    ],
)
def test_window_table(
    window: SendWindow, moment: datetime, expected_open: bool, expected_next: datetime
) -> None:
    assert is_open(window, moment) is expected_open
    assert next_send_time(window, moment) == expected_next
    assert next_send_time(window, moment).tzinfo is UTC


def test_a_due_instant_in_utc_is_read_in_the_shop_zone() -> None:
    # 04:30 UTC is 09:30 in Almaty: closed, opens at 05:00 UTC
    due = datetime(2026, 5, 4, 4, 30, tzinfo=UTC)
    assert not is_open(DEFAULT, due)
    assert next_send_time(DEFAULT, due) == datetime(2026, 5, 4, 5, 0, tzinfo=UTC)


def test_kazakhstan_moving_to_utc_plus_5() -> None:
    # 29 Feb 2024 was still +06; 1 Mar 2024 is +05. Due 22:00 +06 → 10:00 +05 next day.
    due = datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
    assert next_send_time(DEFAULT, due) == datetime(2024, 3, 1, 5, 0, tzinfo=UTC)
    # and 20:30 +06 on the 29th was inside
    assert is_open(DEFAULT, datetime(2024, 2, 29, 14, 30, tzinfo=UTC))


def test_spring_forward_skipped_start() -> None:
    # Berlin skips 02:00–03:00 on 29 Mar 2026; a 02:30 start means 03:30 CEST = 01:30 UTC
    window = SendWindow(time(2, 30), time(4, 0), "Europe/Berlin")
    due = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert next_send_time(window, due) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_fall_back_day_keeps_wall_clock_hours() -> None:
    # Berlin goes back to +01 on 25 Oct 2026: 10:00 local is 09:00 UTC that day
    window = SendWindow(timezone="Europe/Berlin")
    due = datetime(2026, 10, 25, 5, 0, tzinfo=UTC)
    assert next_send_time(window, due) == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert not is_open(window, datetime(2026, 10, 25, 20, 0, tzinfo=UTC))  # 21:00 CET


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"start": time(10), "end": time(10)}, "differ"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"start": time(10, tzinfo=UTC)}, "without a zone"),
    ],
)
def test_bad_windows_are_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SendWindow(**kwargs)  # type: ignore[arg-type]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        is_open(DEFAULT, datetime(2026, 5, 4, 12))


WINDOWS = st.sampled_from(
    [
        DEFAULT,
        NIGHT,
        SendWindow(time(9), time(9, 1)),
        SendWindow(time(23, 30), time(0, 30)),
        SendWindow(time(8), time(22), "Europe/Berlin"),
        SendWindow(time(2, 30), time(3, 15), "America/New_York"),
    ]
)


@given(
    window=WINDOWS,
    due=st.datetimes(
        min_value=datetime(2023, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
    ),
)
def test_next_send_time_is_the_first_open_instant(window: SendWindow, due: datetime) -> None:
    at = next_send_time(window, due)
    assert at >= due
    assert is_open(window, at)
    if is_open(window, due):
        assert at == due
    else:
        assert at - due <= timedelta(hours=49)  # a swallowed day waits for the next
        assert not is_open(window, at - timedelta(microseconds=1))


def test_a_window_swallowed_by_a_forward_change_waits_for_the_next_day() -> None:
    # New York skips 02:00–03:00 on 8 Mar 2026: 02:30–03:15 would run 03:30–03:15 EDT
    window = SendWindow(time(2, 30), time(3, 15), "America/New_York")
    due = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)  # 01:00 EST
    assert next_send_time(window, due) == datetime(2026, 3, 9, 6, 30, tzinfo=UTC)  # 02:30 EDT
    assert not is_open(window, datetime(2026, 3, 8, 7, 30, tzinfo=UTC))
