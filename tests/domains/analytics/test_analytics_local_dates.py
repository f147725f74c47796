"""``local_dates`` equals Polars' zone conversion, across offset changes and midnights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from saudager.domains.analytics.lines import local_dates

# Kazakhstan went from UTC+6 to UTC+5 on 2024-03-01 00:00 local (2024-02-29 18:00 UTC).
SWITCH = datetime(2024, 2, 29, 18, 0, tzinfo=UTC)


def reference(instants: pl.Series, tz: str) -> pl.Series:
    return instants.dt.convert_time_zone(tz).dt.date()


def series(values: list[datetime | None]) -> pl.Series:
    return pl.Series("at", values, dtype=pl.Datetime("us", "UTC"))


@settings(max_examples=200)
@given(
    offsets=st.lists(
        st.one_of(
            st.none(), st.integers(min_value=-3 * 86_400 * 10**6, max_value=3 * 86_400 * 10**6)
        ),
        max_size=40,
    ),
    tz=st.sampled_from(["Asia/Almaty", "Asia/Aqtobe", "Europe/Berlin", "America/New_York", "UTC"]),
)
def test_equals_the_zone_conversion(offsets: list[int | None], tz: str) -> None:
    # Instants within three days of the Kazakh switch (a UTC day with two offsets in Almaty).
    values = [None if o is None else SWITCH + timedelta(microseconds=o) for o in offsets]
    at = series(values)
    assert local_dates(at, tz).to_list() == reference(at, tz).to_list()


def test_a_summer_time_day_and_the_edges_of_local_midnight() -> None:
    berlin_change = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 02:00 → 03:00 local
    values = [
        berlin_change - timedelta(microseconds=1), berlin_change,
        datetime(2026, 3, 28, 22, 59, 59, 999_999, tzinfo=UTC),  # 23:59:59.999999 local
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC),  # local midnight
        None,
    ]  # fmt: skip
    at = series(values)
    assert local_dates(at, "Europe/Berlin").to_list() == reference(at, "Europe/Berlin").to_list()
    almaty = series([datetime(2026, 1, 5, 18, 59, 59, 999_999, tzinfo=UTC),
                     datetime(2026, 1, 5, 19, 0, tzinfo=UTC)])  # fmt: skip
    assert [d.isoformat() for d in local_dates(almaty, "Asia/Almaty").to_list()] == [
        "2026-01-05", "2026-01-06",
    ]  # fmt: skip


def test_empty_and_all_null() -> None:
    assert local_dates(series([]), "Asia/Almaty").to_list() == []
    assert local_dates(series([None, None]), "Asia/Almaty").to_list() == [None, None]
