"""Time: stored UTC-aware; windows computed in the shop's zone.

Kaspi's cabinet windows are whole local days ending with the as-of day: the 90-day window of
25 Aug runs 28 May 00:00 to 25 Aug 23:59:59.999 local time. Kaspi's API speaks epoch
milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Almaty"


def zone(name: str) -> ZoneInfo:
    """The named zone, with an error that says what was expected."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a name too long
        raise ValueError(
            f"unknown time zone {name!r}: expected an IANA name such as 'Asia/Almaty'"
        ) from exc


def from_epoch_ms(value: int | float) -> datetime:
    """Kaspi epoch milliseconds to an aware UTC datetime."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def to_epoch_ms(moment: datetime) -> int:
    """An aware datetime to Kaspi epoch milliseconds."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone before converting to epoch ms")
    return round(moment.timestamp() * 1000)


def ensure_utc(moment: datetime, local_zone: str) -> datetime:
    """Aware UTC; a naive datetime is read as local time in ``local_zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(local_zone))
    return moment.astimezone(UTC)


def local_midnight(day: date, local_zone: str) -> datetime:
    """00:00 of ``day`` in the zone, as aware UTC."""
    return datetime.combine(day, time.min, tzinfo=zone(local_zone)).astimezone(UTC)


def local_day(moment: datetime, local_zone: str) -> date:
    """The calendar day ``moment`` falls on in the zone."""
    return moment.astimezone(zone(local_zone)).date()


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open interval of instants ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    @property
    def last_instant(self) -> datetime:
        """The last millisecond inside the window, as Kaspi prints window ends."""
        return self.end - timedelta(milliseconds=1)


def trailing_days(as_of: date, days: int, local_zone: str) -> Window:
    """The ``days`` whole local days ending with ``as_of`` (inclusive)."""
    if days < 1:
        raise ValueError("a window has at least one day")
    first = as_of - timedelta(days=days - 1)
    return Window(
        local_midnight(first, local_zone), local_midnight(as_of + timedelta(days=1), local_zone)
    )


def split_window(window: Window, max_span: timedelta) -> list[Window]:
    """Consecutive sub-windows no longer than ``max_span`` that cover ``window`` exactly."""
    if max_span <= timedelta(0):
        raise ValueError("max_span must be positive")
    parts: list[Window] = []
    start = window.start
    while start < window.end:
        end = min(start + max_span, window.end)
        parts.append(Window(start, end))
        start = end
    return parts
