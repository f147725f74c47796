"""The overview's own rules, as functions of plain data: which days, which change, which orders.

Pure: the day and the moment are arguments; nothing reads a clock or the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from saudager.core.timewindows import local_midnight
from saudager.domains.dashboard.types import Change
from saudager.domains.quality.eligibility import JumaTiming
from saudager.domains.quality.warnings import DeadlineWarning

_RATIO_PLACES = Decimal("0.0001")


def sales_period(today: date, days: int) -> tuple[date, date]:
    """The ``days`` whole local days ending yesterday: today is not over, and the sales
    reports' default period (30 days ending yesterday) ends there too."""
    if days < 1:
        raise ValueError("a period has at least one day")
    return today - timedelta(days=days), today - timedelta(days=1)


def change(current: int, previous: int) -> Change:
    """``current − previous``, and that over ``|previous|`` (``None`` when it is 0)."""
    amount = current - previous
    if previous == 0:
        return Change(amount, None)
    ratio = (Decimal(amount) / abs(previous)).quantize(_RATIO_PLACES, rounding=ROUND_HALF_EVEN)
    return Change(amount, ratio)


def days_to_zhuma(timing: JumaTiming) -> int | None:
    """0 while a Жұма runs; else days to the next one's first day; ``None``: none ahead."""
    if timing.current is not None:
        return 0
    return timing.days_until_next


def due_today(
    warnings: Iterable[DeadlineWarning], today: date, tz: str
) -> tuple[DeadlineWarning, ...]:
    """The warnings whose deadline is before the end of local day ``today`` (late ones too),
    in the order given."""
    end: datetime = local_midnight(today + timedelta(days=1), tz)
    return tuple(w for w in warnings if w.deadline < end)
