"""How many orders a day brings: weekday, growth and Kaspi Жұма."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

# Three Жұма sales a year, Thursday to Sunday. 12-15 February 2026 is Kaspi's announced date
# (DOMAIN.md); the others are plausible guesses in the usual months (February, June, November).
DEFAULT_ZHUMA_PERIODS: tuple[tuple[date, date], ...] = (
    (date(2025, 2, 13), date(2025, 2, 16)),
    (date(2025, 6, 12), date(2025, 6, 15)),
    (date(2025, 11, 13), date(2025, 11, 16)),
    (date(2026, 2, 12), date(2026, 2, 15)),
    (date(2026, 6, 11), date(2026, 6, 14)),
    (date(2026, 11, 12), date(2026, 11, 15)),
    (date(2027, 2, 11), date(2027, 2, 14)),
)
# Sales multiply up to 5x on the first day and fade towards the last.
ZHUMA_DAY_FACTORS = (4.5, 4.0, 3.4, 3.0)
# Buyers hold back in the days before a Жұма they know is coming.
PRE_ZHUMA_DAYS, PRE_ZHUMA_FACTOR = 3, 0.8


def zhuma_factor(day: date, periods: Sequence[tuple[date, date]]) -> tuple[float, bool]:
    """The day's sales multiplier and whether the day is inside a Жұма."""
    for first, last in periods:
        if first <= day <= last:
            position = (day - first).days
            return ZHUMA_DAY_FACTORS[min(position, len(ZHUMA_DAY_FACTORS) - 1)], True
        if first - timedelta(days=PRE_ZHUMA_DAYS) <= day < first:
            return PRE_ZHUMA_FACTOR, False
    return 1.0, False
