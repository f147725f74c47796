"""``saudager quality``: the indicators, what is behind each, and where they are heading."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import typer
from rich.table import Table

from saudager.cli.output import console
from saudager.core.timewindows import zone
from saudager.domains.quality.outlook import IndicatorOutlook
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.service import Explanation, QualityReport
from saudager.domains.quality.types import Indicator, IndicatorValue, Status
from saudager.domains.quality.warnings import DeadlineWarning, WarningKind

NAMES_RU = {
    Indicator.RATING: "Рейтинг",
    Indicator.SELLER_CANCELLATIONS: "Отмены по вине продавца",
    Indicator.LATE_HANDOVERS: "Опоздания с передачей",
    Indicator.QUALITY_RETURNS: "Возвраты по качеству",
    Indicator.REVIEWS_BALANCE: "Негативные / позитивные отзывы",
}
COLOURS = {
    Status.OK: "green",
    Status.WARNING: "yellow",
    Status.CRITICAL: "bold red",
    Status.NOT_ENOUGH_DATA: "dim",
}
ACTIONS = ("explain", "outlook", "history", "warnings", "zhuma", "alerts")


def parse_day(raw: str | None, today: date) -> date:
    if raw is None:
        return today
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"expected a date such as 2026-08-25, got {raw!r}") from None


def parse_indicator(raw: str) -> Indicator:
    try:
        return Indicator(raw)
    except ValueError:
        names = ", ".join(i.value for i in Indicator)
        raise typer.BadParameter(f"unknown indicator {raw!r}: expected one of {names}") from None


def show_value(value: IndicatorValue) -> str:
    if value.value is None:
        return "—"
    if value.indicator == Indicator.RATING:
        return f"{value.value:.2f} ★".replace(".", ",")
    if value.indicator == Indicator.REVIEWS_BALANCE:
        return f"{value.numerator} / {value.denominator}"
    return f"{value.value:.2f} %".replace(".", ",")


def print_report(report: QualityReport) -> None:
    table = Table(title=f"{report.shop.name}: показатели качества на {report.as_of:%d.%m.%Y}")
    for column in ("показатель", "значение", "числитель / знаменатель", "порог", "статус"):
        table.add_column(column)
    for indicator, value in report.indicators.items():
        colour = COLOURS.get(value.status, "")
        mark = (
            "негативных < позитивных"
            if indicator == Indicator.REVIEWS_BALANCE
            else f"{value.critical_mark}".replace(".", ",")
        )
        table.add_row(
            NAMES_RU.get(indicator, str(indicator)),
            f"[{colour}]{show_value(value)}[/{colour}]",
            f"{value.numerator} / {value.denominator}",
            mark,
            f"[{colour}]{value.status}[/{colour}]",
        )
    console.print(table)


def print_explanation(explanation: Explanation, tz: str) -> None:
    value = explanation.value
    console.print(
        f"[bold]{NAMES_RU.get(value.indicator, str(value.indicator))}[/bold]: {show_value(value)}"
        f" ({value.numerator} / {value.denominator}), {value.status}"
    )
    table = Table("что", "номер", "когда (местное)", "в числителе", "в знаменателе", "почему")
    # What moves the number first: the late, cancelled, returned or low-rated ones.
    ordered = sorted(explanation.facts, key=lambda f: (not f.numerator, -f.at.timestamp()))
    for fact in ordered:
        table.add_row(
            str(fact.ref_kind),
            fact.ref,
            f"{fact.at.astimezone(zone(tz)):%d.%m.%Y %H:%M}",
            "да" if fact.numerator else "",
            "да" if fact.denominator else "",
            fact.note or "",
        )
    console.print(table)


def print_outlook(outlooks: dict[Indicator, IndicatorOutlook]) -> None:
    for indicator, item in outlooks.items():
        colour = COLOURS.get(item.today.status, "")
        console.print(
            f"\n[bold]{NAMES_RU.get(indicator, str(indicator))}[/bold]: сегодня "
            f"[{colour}]{_projected(indicator, item.today.value)}[/{colour}] ({item.today.status})"
        )
        breach_nothing = item.first_breach_if_nothing_new
        breach_pace = item.first_breach_at_pace
        console.print(
            "  нарушение, если ничего нового: "
            + (f"[red]{breach_nothing:%d.%m.%Y}[/red]" if breach_nothing else "не ожидается")
            + "; в текущем темпе: "
            + (f"[red]{breach_pace:%d.%m.%Y}[/red]" if breach_pace else "не ожидается")
        )
        if item.recovery is not None:
            console.print(f"  [yellow]{item.recovery.sentence_ru}[/yellow]")
        leaving = item.leaving_bad
        if leaving:
            shown = ", ".join(f"{day:%d.%m} {event.ref}" for day, event in leaving[:8])
            more = f" и ещё {len(leaving) - 8}" if len(leaving) > 8 else ""
            console.print(f"  уходят из окна: {shown}{more}")
        table = Table("день", "если ничего нового", "в текущем темпе", box=None, padding=(0, 2))
        for day in item.days[::5]:
            table.add_row(
                f"{day.day:%d.%m}",
                _projected(indicator, day.if_nothing_new.value),
                _projected(indicator, day.at_pace.value),
            )
        console.print(table)


def _projected(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    unit = " ★" if indicator == Indicator.RATING else " %"
    return f"{value:.2f}{unit}".replace(".", ",")


def print_warnings(warnings: list[DeadlineWarning]) -> None:
    if not warnings:
        console.print("[green]Срочных заказов нет.[/green]")
        return
    table = Table("заказ", "что", "срок (местное)", "осталось")
    for w in warnings:
        colour = "bold red" if w.late else ("yellow" if w.minutes_left < 120 else "")
        left = f"{w.minutes_left // 60} ч {w.minutes_left % 60} мин" if not w.late else "опоздание"
        table.add_row(
            w.order_code,
            "передать в Kaspi Доставку" if w.kind == WarningKind.HANDOVER else "принять заказ",
            f"{w.deadline_local:%d.%m %H:%M}",
            f"[{colour}]{left}[/{colour}]" if colour else left,
        )
    console.print(table)


def print_history(snapshots: list[Snapshot]) -> None:
    table = Table("день", "показатель", "значение", "числитель / знаменатель", "статус")
    for snap in snapshots:
        colour = COLOURS.get(Status(snap.status), "")
        value = "—" if snap.value is None else f"{snap.value}".replace(".", ",")
        table.add_row(
            f"{snap.day:%d.%m.%Y}",
            NAMES_RU.get(Indicator(snap.indicator), snap.indicator),
            value,
            f"{snap.numerator} / {snap.denominator}",
            f"[{colour}]{snap.status}[/{colour}]",
        )
    console.print(table)


def print_zhuma(report: QualityReport) -> None:
    zhuma = report.zhuma
    console.print(f"[bold]Kaspi Жұма[/bold]: {zhuma.sentence_ru}")
    console.print(zhuma.timing.sentence_ru)
    table = Table("условие", "результат", "значение", "порог", "запас")
    for c in zhuma.criteria:
        colour = {"pass": "green", "fail": "bold red"}.get(str(c.outcome), "dim")
        table.add_row(
            c.name_ru,
            f"[{colour}]{c.outcome}[/{colour}]",
            "—" if c.value is None else f"{c.value} {c.unit}",
            "—" if c.mark is None else f"{c.mark} {c.unit}",
            "—" if c.margin is None else f"{c.margin} {c.unit}",
        )
    console.print(table)


def print_sanctions(report: QualityReport) -> None:
    colour = "bold red" if report.sanctions.blocked else "green"
    console.print(f"Санкции: [{colour}]{report.sanctions.sentence_ru}[/{colour}]")
