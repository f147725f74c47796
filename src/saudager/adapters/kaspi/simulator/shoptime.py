"""Time arithmetic of the simulated shop, in epoch milliseconds.

The generator works on "local milliseconds" (UTC ms + the zone's offset) so that hour-of-day
and weekday are plain integer arithmetic: ``datetime`` objects per order would cost seconds for
100,000 orders. Kazakhstan has no daylight saving, so one offset per local day is exact except
on the night the country moved from UTC+6 to UTC+5 (1 March 2024), where events of one order
may be off by an hour — irrelevant for a simulation.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from saudager.core.timewindows import local_midnight, to_epoch_ms, zone

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# The seller answers orders from 09:00 to 21:00 every day; Kaspi's "3 working hours" to accept
# an order are counted inside these hours.
WORK_OPEN = 9 * HOUR
WORK_CLOSE = 21 * HOUR
# Kaspi Delivery drop-off points take parcels Monday to Saturday. An order placed before the
# cut-off is due the same day, any later order the next drop-off day, by the hour below.
HANDOVER_CUTOFF = 12 * HOUR
HANDOVER_DUE = 18 * HOUR
SUNDAY = 6

# Relative order volume Monday..Sunday: weekdays a little busier, Saturday the quietest.
WEEKDAY_FACTORS = (1.06, 1.04, 1.02, 1.0, 0.97, 0.88, 1.03)
# Orders per local hour 00..23: quiet nights, a long day, an evening peak at 20:00-21:00.
HOUR_WEIGHTS = (
    0.8, 0.45, 0.25, 0.15, 0.15, 0.2, 0.5, 1.2, 2.2, 3.2, 4.0, 4.4,
    4.6, 4.6, 4.5, 4.5, 4.6, 4.8, 5.2, 5.8, 6.3, 6.2, 4.8, 2.4,
)  # fmt: skip
HOUR_CUM_WEIGHTS = tuple(sum(HOUR_WEIGHTS[: i + 1]) for i in range(24))
# Year-on-year growth of the shop's order volume.
YEARLY_GROWTH = 1.4


@dataclass(frozen=True, slots=True)
class LocalDay:
    """One calendar day in the shop's zone."""

    day: date
    midnight_ms: int  # UTC epoch ms of local 00:00
    offset_ms: int  # local ms = UTC ms + offset

    @property
    def weekday(self) -> int:
        return self.day.weekday()


def local_days(start: datetime, end: datetime, tz_name: str) -> list[LocalDay]:
    """Every local day that overlaps [start, end)."""
    tz = zone(tz_name)
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    days: list[LocalDay] = []
    current = first
    while current <= last:
        midnight = local_midnight(current, tz_name)
        offset = midnight.astimezone(tz).utcoffset() or timedelta(0)
        days.append(LocalDay(current, to_epoch_ms(midnight), int(offset.total_seconds()) * SECOND))
        current += timedelta(days=1)
    return days


def weekday_of(local_ms: int) -> int:
    """Monday = 0; the epoch's first day, 1 January 1970, was a Thursday."""
    return (local_ms // DAY + 3) % 7


def add_working_time(local_ms: int, duration_ms: int) -> int:
    """The local instant ``duration_ms`` of the seller's working hours after ``local_ms``."""
    day_start = local_ms - local_ms % DAY
    moment = local_ms
    remaining = duration_ms
    while True:
        open_at, close_at = day_start + WORK_OPEN, day_start + WORK_CLOSE
        if moment < open_at:
            moment = open_at
        if moment < close_at:
            available = close_at - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        day_start += DAY
        moment = day_start + WORK_OPEN


def handover_deadline(created_local: int, accepted_local: int) -> int:
    """Kaspi's planned handover (``courierTransmissionPlanningDate``), local ms.

    Same drop-off day at 18:00 for orders placed before 12:00 on a drop-off day, else the next
    drop-off day; never less than two hours after the seller accepted the order.
    """
    day_start = created_local - created_local % DAY
    if weekday_of(day_start) == SUNDAY or created_local - day_start >= HANDOVER_CUTOFF:
        day_start = _next_dropoff_day(day_start)
    while day_start + HANDOVER_DUE < accepted_local + 2 * HOUR:
        day_start = _next_dropoff_day(day_start)
    return day_start + HANDOVER_DUE


def _next_dropoff_day(day_start: int) -> int:
    day_start += DAY
    if weekday_of(day_start) == SUNDAY:
        day_start += DAY
    return day_start


def growth_factor(day_index: int, total_days: int) -> float:
    """Slow growth, centred so that the period's mean volume stays the configured mean."""
    middle = (total_days - 1) / 2
    return float(YEARLY_GROWTH ** ((day_index - middle) / 365))


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw; the normal approximation above 50 is plenty for order counts."""
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def random_time_of_day(rng: random.Random) -> int:
    """Milliseconds after local midnight, following the hourly rhythm."""
    hour = rng.choices(range(24), cum_weights=HOUR_CUM_WEIGHTS)[0]
    return hour * HOUR + rng.randrange(HOUR)
