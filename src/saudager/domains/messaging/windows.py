"""Send windows: the local hours of a shop in which a message to a buyer may go out.

A window is a start and an end wall-clock time in the shop's zone, start inclusive and end
exclusive: with the default 10:00–21:00 a message may go at 10:00:00 and at 20:59:59, not at
21:00:00. A window whose end is not after its start crosses midnight (20:00–02:00 is open from
20:00 to 02:00 the next morning). A message due outside the window waits for the next opening;
it is never dropped and never sent outside it.

Instants are aware and compared in UTC; wall-clock times are read in the zone with ``zoneinfo``,
so a zone's offset changes (daylight saving, Kazakhstan's move to UTC+5 in March 2024) are
honoured. A wall-clock time that occurs twice (a backward change) means its first occurrence; one
that does not exist (skipped by a forward change) is read with the offset before the change, so
02:30 in a 02:00–03:00 gap means 03:30 after it; on such a day a short window may not open at
all (02:30–03:15 would run from 03:30 to 03:15) and the message waits for the next day's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from saudager.core.timewindows import DEFAULT_TIMEZONE, zone

DEFAULT_START = time(10, 0)
DEFAULT_END = time(21, 0)


@dataclass(frozen=True, slots=True)
class SendWindow:
    """The hours of one shop, ``[start, end)`` local time in ``timezone``."""

    start: time = DEFAULT_START
    end: time = DEFAULT_END
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("a send window needs a start and an end that differ")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("window times are wall-clock times: give them without a zone")
        zone(self.timezone)  # an unknown zone is an error now, not at the first send

    @property
    def crosses_midnight(self) -> bool:
        return self.end < self.start


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: give an aware instant")


def _at(day: date, clock: time, tz: str) -> datetime:
    """The UTC instant of ``clock`` on ``day`` in the zone; a skipped time maps past the gap."""
    return datetime.combine(day, clock, tzinfo=zone(tz)).astimezone(UTC)


def _openings(window: SendWindow, moment: datetime) -> list[tuple[datetime, datetime]]:
    """The window's openings that start from the local day before ``moment`` to two days after."""
    tz = window.timezone
    today = moment.astimezone(zone(tz)).date()
    spans = []
    for offset in (-1, 0, 1, 2):
        day = today + timedelta(days=offset)
        end_day = day + timedelta(days=1) if window.crosses_midnight else day
        start, end = _at(day, window.start, tz), _at(end_day, window.end, tz)
        if start < end:  # a forward change can swallow a short window whole on its day
            spans.append((start, end))
    return spans


def is_open(window: SendWindow, moment: datetime) -> bool:
    """Whether a message may go out at ``moment``."""
    _require_aware(moment)
    return any(start <= moment < end for start, end in _openings(window, moment))


def next_send_time(window: SendWindow, due: datetime) -> datetime:
    """The first instant at or after ``due`` at which the window is open, in UTC."""
    _require_aware(due)
    due = due.astimezone(UTC)
    spans = _openings(window, due)
    for start, end in spans:
        if start <= due < end:
            return due
    return min(start for start, _ in spans if start > due)
