"""Sanctions: from the daily history of the indicators to the stage a shop is at, and when.

Kaspi's stages (DOMAIN.md §1, seed 000): a violation — a sanctioned indicator past its mark —
blocks the shop for 7 days; a repeat violation blocks it for 7 more days; the third blocks it
indefinitely, and 30 days later the seller may apply to be reconnected, after which every
indicator starts from zero. While blocked, the seller still delivers the orders placed before
the block and handles returns.

What Kaspi does not say, and what we chose (each a ``SanctionRules`` setting, stricter default):

- **What a violation is.** A day on which a sanctioned indicator is CRITICAL while the shop is
  not blocked, and either that indicator was not CRITICAL the day before (a new crossing) or a
  block ended that very day (``still_critical_after_block_counts``: the seed's stage 3 reads
  "if the indicators did not improve", so an indicator still past its mark when the block
  lifts is the repeat). Several indicators crossing on one day are one violation. Crossings
  while blocked are not violations of their own: the check at the block's end catches them.
- **Which violations count towards the stage.** By default every violation since the last
  reconnection (``repeat_window_days=None``): DOMAIN.md's stages have no time limit. Kaspi's
  older Kazakh page says "the 3rd breach in 90 days ends cooperation": ``repeat_window_days=90``
  counts only the violations of the last 90 days (the day itself included).
- **Dates.** A block starts on the day of its violation (the day whose figures cross the mark)
  and lasts whole local days: a 7-day block from 3 December is lifted on 10 December.

Pure: the history comes in as ``history.daily_series`` rows (``day``, ``indicator``,
``status``); nothing reads a clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

import polars as pl

from saudager.core.timewindows import local_midnight
from saudager.domains.quality.outlook import (
    INDICATOR_NAMES_EN,
    INDICATOR_NAMES_RU,
    day_en,
    day_ru,
    plural_en,
    plural_ru,
)
from saudager.domains.quality.types import SANCTIONED, Indicator, Status

__all__ = [
    "SanctionRules",
    "SanctionStage",
    "SanctionState",
    "StagePeriod",
    "Violation",
    "facts_since_reconnection",
    "sanction_state",
]


class SanctionStage(StrEnum):
    NONE = "none"
    FIRST_BLOCK = "first_block"  # 7 days
    SECOND_BLOCK = "second_block"  # 7 more days
    BLOCKED_INDEFINITELY = "blocked_indefinitely"  # may apply to be reconnected after 30 days


_BLOCKS = frozenset(
    {SanctionStage.FIRST_BLOCK, SanctionStage.SECOND_BLOCK, SanctionStage.BLOCKED_INDEFINITELY}
)


@dataclass(frozen=True, slots=True)
class SanctionRules:
    """The sanction ladder as settings (defaults: DOMAIN.md, the stricter reading)."""

    first_block_days: int = 7
    second_block_days: int = 7
    reconnect_after_days: int = 30  # blocked indefinitely this long before one may apply
    repeat_window_days: int | None = None  # None: every violation since reconnection; or 90
    still_critical_after_block_counts: bool = True

    def __post_init__(self) -> None:
        if self.first_block_days < 1 or self.second_block_days < 1:
            raise ValueError("a block lasts at least one day")
        if self.repeat_window_days is not None and self.repeat_window_days < 1:
            raise ValueError("repeat_window_days must be positive (or None: no window)")


@dataclass(frozen=True, slots=True)
class Violation:
    day: date
    indicators: tuple[Indicator, ...]  # CRITICAL that day, in SANCTIONED order
    number: int  # 1, 2, 3…: its place among the violations that counted for the stage
    stage: SanctionStage  # the stage it brought
    at_block_end: bool  # found still critical when a block was lifted, not a new crossing


@dataclass(frozen=True, slots=True)
class StagePeriod:
    stage: SanctionStage
    since: date
    until: date | None  # the first day of the next period; None while it lasts


@dataclass(frozen=True, slots=True)
class SanctionState:
    """Where the shop stands on ``as_of``, and how it got there since its last reconnection."""

    as_of: date
    stage: SanctionStage
    since: date | None  # first day of the current stage (None: no violation ever)
    until: date | None  # a block's first free day; None when not blocked or indefinite
    violations: tuple[Violation, ...]  # since the last reconnection, oldest first
    next_stage_if_breach: SanctionStage
    reconnect_from: date | None  # blocked indefinitely: first day one may apply
    periods: tuple[StagePeriod, ...]  # the stages over time, oldest first
    reconnected_on: date | None = None

    @property
    def blocked(self) -> bool:
        return self.stage in _BLOCKS

    @property
    def violations_so_far(self) -> int:
        """The count the minimum-data rule reads ("after the third violation"): reset by a
        reconnection like everything else."""
        return len(self.violations)

    @property
    def sentence_ru(self) -> str:
        return _sentence(self, ru=True)

    @property
    def sentence_en(self) -> str:
        return _sentence(self, ru=False)


def _stage_for(number: int) -> SanctionStage:
    if number <= 1:
        return SanctionStage.FIRST_BLOCK
    if number == 2:
        return SanctionStage.SECOND_BLOCK
    return SanctionStage.BLOCKED_INDEFINITELY


def _counted_before(violations: list[Violation], day: date, rules: SanctionRules) -> int:
    """Violations that count towards the stage of a violation on ``day``."""
    if rules.repeat_window_days is None:
        return len(violations)
    first = day - timedelta(days=rules.repeat_window_days - 1)
    return sum(1 for v in violations if v.day >= first)


def _critical_days(
    series: pl.DataFrame, first: date | None, last: date
) -> dict[date, frozenset[Indicator]]:
    missing = {"day", "indicator", "status"} - set(series.columns)
    if missing:
        raise ValueError(f"series lacks columns {sorted(missing)}")
    rows = series.filter(
        (pl.col("status") == Status.CRITICAL.value)
        & pl.col("indicator").is_in([str(i) for i in SANCTIONED])
        & (pl.col("day") <= last)
    )
    if first is not None:
        rows = rows.filter(pl.col("day") >= first)
    found: dict[date, set[Indicator]] = {}
    for day, indicator in rows.select("day", "indicator").iter_rows():
        found.setdefault(day, set()).add(Indicator(indicator))
    return {day: frozenset(inds) for day, inds in found.items()}


def sanction_state(
    series: pl.DataFrame,
    as_of: date,
    rules: SanctionRules | None = None,
    *,
    reconnected_on: date | None = None,
) -> SanctionState:
    """The sanction stage on ``as_of`` from the daily history ``series`` up to it.

    ``series``: ``history.daily_series`` rows (at least ``day``, ``indicator``, ``status``),
    one per local day and indicator, contiguous — a missing day reads as "nothing critical".
    Start it well before the first violation (the history of the last reconnection, or the
    shop's first day): a run already critical on its first day counts as a crossing there.

    ``reconnected_on``: the day Kaspi reconnected the shop after an indefinite block. Days
    before it are ignored and the count starts again; the indicators themselves must also start
    from zero — compute ``series`` from ``facts_since_reconnection(...)``.
    """
    rules = rules or SanctionRules()
    if reconnected_on is not None and reconnected_on > as_of:
        raise ValueError(f"reconnected_on {reconnected_on} is after as_of {as_of}")
    critical = _critical_days(series, reconnected_on, as_of)
    days = series.filter(pl.col("day") <= as_of)["day"]
    first_day = reconnected_on if reconnected_on is not None else days.min()
    start: date = first_day if isinstance(first_day, date) else as_of

    stage = SanctionStage.NONE
    since: date | None = None
    until: date | None = None
    reconnect_from: date | None = None
    violations: list[Violation] = []
    periods: list[StagePeriod] = [StagePeriod(SanctionStage.NONE, start, None)]
    previous: frozenset[Indicator] = frozenset()

    def enter(new_stage: SanctionStage, day: date) -> None:
        nonlocal stage, since
        periods[-1] = StagePeriod(periods[-1].stage, periods[-1].since, day)
        periods.append(StagePeriod(new_stage, day, None))
        stage, since = new_stage, day

    day = start
    while day <= as_of:
        block_ended = stage in (SanctionStage.FIRST_BLOCK, SanctionStage.SECOND_BLOCK) and (
            day == until
        )
        if block_ended:
            enter(SanctionStage.NONE, day)
            until = None
        today = critical.get(day, frozenset())
        if stage is SanctionStage.NONE:
            crossed = today - previous
            again = (
                today if block_ended and rules.still_critical_after_block_counts else frozenset()
            )
            trigger = crossed | again
            if trigger:
                number = _counted_before(violations, day, rules) + 1
                new_stage = _stage_for(number)
                violations.append(
                    Violation(
                        day=day,
                        indicators=tuple(i for i in SANCTIONED if i in today),
                        number=number,
                        stage=new_stage,
                        at_block_end=not crossed,
                    )
                )
                enter(new_stage, day)
                if new_stage is SanctionStage.FIRST_BLOCK:
                    until = day + timedelta(days=rules.first_block_days)
                elif new_stage is SanctionStage.SECOND_BLOCK:
                    until = day + timedelta(days=rules.second_block_days)
                else:
                    reconnect_from = day + timedelta(days=rules.reconnect_after_days)
        previous = today
        day += timedelta(days=1)

    if stage is SanctionStage.BLOCKED_INDEFINITELY:
        next_stage = SanctionStage.BLOCKED_INDEFINITELY
    else:
        # A breach is counted the first day it can be: tomorrow, or the day the block lifts.
        breach_day = until if until is not None else as_of + timedelta(days=1)
        next_stage = _stage_for(_counted_before(violations, breach_day, rules) + 1)
    return SanctionState(
        as_of=as_of,
        stage=stage,
        since=None if stage is SanctionStage.NONE and not violations else since,
        until=until,
        violations=tuple(violations),
        next_stage_if_breach=next_stage,
        reconnect_from=reconnect_from if stage is SanctionStage.BLOCKED_INDEFINITELY else None,
        # A block lifted and re-imposed the same day leaves an empty free period: drop it.
        periods=tuple(p for p in periods if p.until is None or p.until > p.since),
        reconnected_on=reconnected_on,
    )


def facts_since_reconnection(facts: pl.DataFrame, reconnected_on: date, tz: str) -> pl.DataFrame:
    """The facts placed from local midnight of ``reconnected_on`` on: after a reconnection
    "every indicator starts from zero", so nothing from before it counts again."""
    start = local_midnight(reconnected_on, tz)
    return facts.filter(pl.col("at") >= pl.lit(start, dtype=pl.Datetime("us", "UTC")))


# ---- texts -----------------------------------------------------------------------------------

_STAGE_RU: Mapping[SanctionStage, str] = {
    SanctionStage.NONE: "без санкций",
    SanctionStage.FIRST_BLOCK: "блокировка на 7 дней",
    SanctionStage.SECOND_BLOCK: "повторная блокировка ещё на 7 дней",
    SanctionStage.BLOCKED_INDEFINITELY: "бессрочная блокировка",
}
_STAGE_EN: Mapping[SanctionStage, str] = {
    SanctionStage.NONE: "no sanction",
    SanctionStage.FIRST_BLOCK: "a 7-day block",
    SanctionStage.SECOND_BLOCK: "a repeat block of 7 more days",
    SanctionStage.BLOCKED_INDEFINITELY: "an indefinite block",
}


def _names(indicators: tuple[Indicator, ...], *, ru: bool) -> str:
    names = INDICATOR_NAMES_RU if ru else INDICATOR_NAMES_EN
    text = ", ".join(names[i] for i in indicators)
    return text[:1].lower() + text[1:] if ru else text


def _sentence(state: SanctionState, *, ru: bool) -> str:
    count = len(state.violations)
    last = state.violations[-1] if state.violations else None
    nxt = (_STAGE_RU if ru else _STAGE_EN)[state.next_stage_if_breach]
    stage = state.stage
    if stage is SanctionStage.NONE:
        if ru:
            if not count:
                return f"Санкций нет, нарушений не было. Первое нарушение — {nxt}."
            word = plural_ru(count, "нарушение", "нарушения", "нарушений")
            return f"Сейчас без блокировки; учтено {count} {word}. Следующее нарушение — {nxt}."
        if not count:
            return f"No sanctions and no violations. A first violation brings {nxt}."
        word = plural_en(count, "violation", "violations")
        return f"Not blocked; {count} {word} counted. The next violation brings {nxt}."
    assert last is not None
    assert state.since is not None
    reason = _names(last.indicators, ru=ru)
    if stage is SanctionStage.BLOCKED_INDEFINITELY:
        assert state.reconnect_from is not None
        if ru:
            return (
                f"Магазин заблокирован бессрочно с {day_ru(state.since)} ({reason}). "
                "Заказы, оформленные до блокировки, нужно выдать, возвраты — обработать. "
                f"С {day_ru(state.reconnect_from)} можно подать заявку на повторное "
                "подключение; после него все показатели начнутся с нуля."
            )
        return (
            f"The shop is blocked indefinitely since {day_en(state.since)} ({reason}). Orders "
            "placed before the block must still be delivered and returns handled. From "
            f"{day_en(state.reconnect_from)} you may apply to be reconnected; every indicator "
            "then starts from zero."
        )
    assert state.until is not None
    last_day = state.until - timedelta(days=1)
    days = (state.until - state.since).days
    if ru:
        word = plural_ru(days, "день", "дня", "дней")
        return (
            f"Магазин заблокирован на {days} {word}: с {day_ru(state.since)} по "
            f"{day_ru(last_day)} включительно ({reason}). Заказы, оформленные до блокировки, "
            "нужно выдать, возвраты — обработать. Если показатель не исправится к концу "
            f"блокировки, следующая ступень — {nxt}."
        )
    word = plural_en(days, "day", "days")
    return (
        f"The shop is blocked for {days} {word}: {day_en(state.since)} to {day_en(last_day)} "
        f"inclusive ({reason}). Orders placed before the block must still be delivered and "
        f"returns handled. If the indicator is still past its mark when the block ends, the "
        f"next stage is {nxt}."
    )
