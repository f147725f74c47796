from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from saudager.core.timewindows import (
    Window,
    ensure_utc,
    from_epoch_ms,
    local_day,
    split_window,
    to_epoch_ms,
    trailing_days,
)


def test_ninety_day_window_of_25_august_matches_kaspi_cabinet() -> None:
    # Kaspi's cabinet: from 2026-05-27T19:00:00.000Z to 2026-08-25T18:59:59.999Z.
    window = trailing_days(date(2026, 8, 25), 90, "Asia/Almaty")
    assert window.start == datetime(2026, 5, 27, 19, 0, tzinfo=UTC)
    assert window.last_instant == datetime(2026, 8, 25, 18, 59, 59, 999000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 5, 27, 18, 59, 59, 999999, tzinfo=UTC), False),  # 27 May 23:59 local
        (datetime(2026, 5, 27, 19, 0, tzinfo=UTC), True),  # 28 May 00:00 local: first day
        (datetime(2026, 8, 25, 18, 59, 59, 999999, tzinfo=UTC), True),  # last instant
        (datetime(2026, 8, 25, 19, 0, tzinfo=UTC), False),  # 26 May 00:00 local
    ],
)
def test_window_edges(moment: datetime, inside: bool) -> None:
    assert (moment in trailing_days(date(2026, 8, 25), 90, "Asia/Almaty")) is inside


def test_one_day_window_is_the_local_day() -> None:
    window = trailing_days(date(2026, 3, 1), 1, "Asia/Almaty")
    assert window.end - window.start == timedelta(days=1)
    assert local_day(window.start, "Asia/Almaty") == date(2026, 3, 1)


def test_epoch_ms_round_trip_of_a_kaspi_sample() -> None:
    moment = from_epoch_ms(1745691162415)
    assert moment.tzinfo is UTC
    assert to_epoch_ms(moment) == 1745691162415


def test_naive_times_are_read_as_shop_local() -> None:
    assert ensure_utc(datetime(2026, 3, 1, 10, 0), "Asia/Almaty") == datetime(
        2026, 3, 1, 5, 0, tzinfo=UTC
    )


def test_split_window_covers_exactly_in_14_day_parts() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    window = Window(start, start + timedelta(days=30))
    parts = split_window(window, timedelta(days=14))
    assert [p.end - p.start for p in parts] == [timedelta(days=14)] * 2 + [timedelta(days=2)]
    assert parts[0].start == window.start and parts[-1].end == window.end
    assert all(a.end == b.start for a, b in pairwise(parts))


def test_to_epoch_ms_refuses_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_epoch_ms(datetime(2026, 1, 1))
