"""How the overview and quality pages show an indicator: its name, its exact rule in the
viewer's language, its value with its unit, its status colour and its charts.

Nothing here computes an indicator: every number comes from the quality guard (``report``,
``explain``, ``recent_history``, ``outlook``) or the overview, and is only worded and drawn.
The rules' texts are filled from the ``QualityRules`` in force, so a changed threshold shows
on the pages as it is counted (``docs/indicators.md`` has the full definitions).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from saudager.core.timewindows import local_day, local_midnight
from saudager.domains.quality.outlook import (
    INDICATOR_NAMES_EN,
    INDICATOR_NAMES_RU,
    IndicatorOutlook,
)
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.types import (
    SANCTIONED,
    CancellationAnchor,
    Indicator,
    IndicatorValue,
    QualityRules,
    RefKind,
    ReturnAnchor,
    Status,
)
from saudager.domains.shops.types import Shop
from saudager.web.i18n import Formatter, Language, register, translate
from saudager.web.security import PageError

#: The order indicators are shown in: the four that bring sanctions, then the Жұма-only one.
SHOWN: tuple[Indicator, ...] = (*SANCTIONED, Indicator.REVIEWS_BALANCE)

#: The stylesheet's colour of each status (``static/app.css``: ok, warning, breach, muted).
STATUS_CLASS: dict[str, str] = {
    Status.OK.value: "ok",
    Status.WARNING.value: "warning",
    Status.CRITICAL.value: "breach",
    Status.NOT_ENOUGH_DATA.value: "muted",
}

#: Colours of the charts' lines: the figure itself, the critical mark, the good level.
_LINE = "#0b57d0"
_PACE = "#8a5a00"
_MARK = "#b3261e"
_GOOD = "#137333"

register(
    {f"quality.name.{i.value}": (INDICATOR_NAMES_RU[i], INDICATOR_NAMES_EN[i]) for i in Indicator}
)
register(
    {
        "quality.status.ok": ("в норме", "good"),
        "quality.status.warning": ("хуже хорошего уровня", "below the good level"),
        "quality.status.critical": ("за критической отметкой", "past the critical mark"),
        "quality.status.not_enough_data": ("мало данных", "not enough data"),
        "quality.rule.rating": (
            "Сумма всех оценок / число оценок за последние {days} дн. Отзыв учитывается с "
            "момента одобрения (после модерации, {moderation} дн.); удалённый покупателем "
            "отзыв и отзыв о возвращённом товаре перестают учитываться. Критично: ниже "
            "{mark} ★; хороший уровень: от {good} ★. Рейтинг считается с {min_ratings}-й "
            "оценки.",
            "Sum of all ratings / number of ratings over the last {days} days. A review counts "
            "from its approval (after moderation, {moderation} d); a review the buyer deleted "
            "and a review of a returned item stop counting. Critical: below {mark} ★; good "
            "level: {good} ★ or more. Computed once there are at least {min_ratings} ratings.",
        ),
        "quality.rule.seller_cancellations": (
            "Заказы, отменённые по вине продавца (статус «Отменён», причина: {reasons}) / все "
            "заказы магазина × 100 % за последние {days} дн., {anchor}. Отмены покупателем "
            "и Kaspi не учитываются. Критично: от {mark} %; хороший уровень: не выше "
            "{good} %.",
            "Orders cancelled through the seller's fault (status CANCELLED, reason: {reasons}) "
            "/ all the shop's orders × 100 % over the last {days} days, {anchor}. "
            "Cancellations by the buyer or by Kaspi do not count. Critical: {mark} % or more; "
            "good level: {good} % or less.",
        ),
        "quality.anchor.created": (
            "по дате создания заказа",
            "placed by the order's creation",
        ),
        "quality.anchor.cancelled": (
            "отмена — по дате отмены, заказ — по дате создания",
            "a cancellation placed by its own date, an order by its creation",
        ),
        "quality.rule.late_handovers": (
            "Заказы Kaspi Доставки, переданные позже срока передачи / все переданные заказы "
            "Kaspi Доставки × 100 % за последние {days} дн., по дате передачи. Передача точно "
            "в срок — не опоздание; заказы своей доставкой и самовывоз не учитываются. "
            "Критично: от {mark} %; хороший уровень: не выше {good} %.",
            "Kaspi Delivery orders handed over after their handover deadline / all Kaspi "
            "Delivery orders handed over × 100 % over the last {days} days, placed by the "
            "handover. A handover at the deadline itself is on time; own-courier and pickup "
            "orders do not count. Critical: {mark} % or more; good level: {good} % or less.",
        ),
        "quality.rule.quality_returns": (
            "Заказы с возвратом по качеству (товар не соответствует описанию, брак) / "
            "завершённые заказы × 100 % за последние {days} дн., {anchor}. Возврат без "
            "указанной причины и по другим причинам не учитывается. Критично: от {mark} %; "
            "хороший уровень: не выше {good} %.",
            "Orders with a quality return (the item differs from its description, a defect) / "
            "completed orders × 100 % over the last {days} days, {anchor}. Returns with no "
            "known reason or another reason do not count. Critical: {mark} % or more; good "
            "level: {good} % or less.",
        ),
        "quality.anchor.returned": (
            "возврат — по дате возврата, заказ — по дате завершения",
            "a return placed by its own date, an order by its completion",
        ),
        "quality.anchor.completed": (
            "возврат и заказ — по дате завершения заказа",
            "a return and its order both placed by the order's completion",
        ),
        "quality.rule.reviews_balance": (
            "Только для участия в Kaspi Жұма: отрицательных отзывов (оценка {negative} ★ и "
            "ниже) должно быть меньше, чем положительных (оценка {positive} ★ и выше), за "
            "последние {days} дн. Нарушение: отрицательных столько же или больше. Значение — "
            "отрицательные в процентах от положительных.",
            "Kaspi Жұма entry only: negative reviews ({negative} ★ or less) must be fewer than "
            "positive ones ({positive} ★ or more) over the last {days} days. Violation: as "
            "many negatives as positives or more. The value is negatives as a percentage of "
            "positives.",
        ),
        "quality.rule.min_data": (
            "Показатели считаются, только если за последние {days} дн. было не меньше "
            "{orders} заказов, или после {violations}-го нарушения; до этого — «мало данных».",
            "Indicators count only with at least {orders} orders in the last {days} days, or "
            "after violation number {violations}; until then they show “not enough data”.",
        ),
        "quality.counts.rating": ("сумма оценок / число оценок", "sum of ratings / ratings"),
        "quality.counts.seller_cancellations": (
            "отмен по вине продавца / заказов",
            "seller-fault cancellations / orders",
        ),
        "quality.counts.late_handovers": (
            "опозданий / передач в Kaspi Доставку",
            "late handovers / handovers to Kaspi Delivery",
        ),
        "quality.counts.quality_returns": (
            "заказов с возвратом по качеству / завершённых заказов",
            "orders with a quality return / completed orders",
        ),
        "quality.counts.reviews_balance": (
            "отрицательных / положительных отзывов",
            "negative / positive reviews",
        ),
        "quality.window": ("Окно: {start} — {end} ({tz})", "Window: {start} to {end} ({tz})"),
        "quality.chart.value": ("Значение", "Value"),
        "quality.chart.mark": ("Критическая отметка", "Critical mark"),
        "quality.chart.good": ("Хороший уровень", "Good level"),
        "quality.chart.nothing_new": ("Если ничего нового", "If nothing new happens"),
        "quality.chart.at_pace": ("В текущем темпе", "At the recent pace"),
        "quality.bad_date": (
            "Дата «{value}» не подходит: нужна дата вида 2026-03-10 между 2000 и 2099 годом.",
            "The date “{value}” will not do: expected a date like 2026-03-10, from 2000 to 2099.",
        ),
        "quality.kind.order": ("заказ", "order"),
        "quality.kind.review": ("отзыв", "review"),
        "quality.kind.return": ("возврат", "return"),
    }
)


#: The days a page or the overview API may be asked about (Kaspi's marketplace is younger; the
#: far ends of the calendar would overflow the time-zone arithmetic).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def page_day(shop: Shop, as_of: str | None, now: datetime | None = None) -> date:
    """The day a page shows: ``?as_of=2026-03-10``, else the shop's local today. An empty
    value (a cleared date picker) is today; anything else unreadable, or outside
    ``FIRST_DAY`` … ``LAST_DAY``, is an error page."""
    if as_of is None or not as_of.strip():
        return local_day(now or datetime.now(UTC), shop.timezone)
    try:
        day = date.fromisoformat(as_of.strip())
    except ValueError:
        day = None
    if day is None or not FIRST_DAY <= day <= LAST_DAY:
        raise PageError(400, "quality.bad_date", value=as_of[:40])
    return day


def moment_on(shop: Shop, day: date, now: datetime | None = None) -> datetime:
    """``now`` moved to local day ``day`` at the same local time of day: the moment the
    overview of another day is computed for (today: ``now`` itself)."""
    moment = now or datetime.now(UTC)
    today = local_day(moment, shop.timezone)
    if day == today:
        return moment
    return local_midnight(day, shop.timezone) + (moment - local_midnight(today, shop.timezone))


def _mark(value: Decimal | int, fmt: Formatter) -> str:
    """A threshold as written in the settings: ``4,0``, ``3``, ``4,6``."""
    exponent = Decimal(value).as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return fmt.number(Decimal(value), places)


_NOTES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^seller-fault (.+)$"), "quality.note.seller_fault"),
    (re.compile(r"^late by (\d+) h (\d+) min$"), "quality.note.late_hours"),
    (re.compile(r"^late by (\d+) min$"), "quality.note.late_minutes"),
    (re.compile(r"^no handover deadline known$"), "quality.note.no_deadline"),
    (re.compile(r"^quality return: (.+)$"), "quality.note.quality_return"),
    (re.compile(r"^negative: (\d+) stars?$"), "quality.note.negative"),
    (re.compile(r"^positive: (\d+) stars?$"), "quality.note.positive"),
    (re.compile(r"^(\d+) stars?$"), "quality.note.stars"),
)
register(
    {
        "quality.note.seller_fault": ("по вине продавца: {0}", "seller's fault: {0}"),
        "quality.note.late_hours": ("опоздание на {0} ч {1} мин", "late by {0} h {1} min"),
        "quality.note.late_minutes": ("опоздание на {0} мин", "late by {0} min"),
        "quality.note.no_deadline": (
            "срок передачи неизвестен — считается в срок",
            "no handover deadline known — counted as on time",
        ),
        "quality.note.quality_return": ("возврат по качеству: {0}", "quality return: {0}"),
        "quality.note.negative": ("отрицательный: {0} ★", "negative: {0} ★"),
        "quality.note.positive": ("положительный: {0} ★", "positive: {0} ★"),
        "quality.note.stars": ("{0} ★", "{0} ★"),
    }
)


@dataclass(frozen=True, slots=True)
class IndicatorTexts:
    """An indicator's words and numbers in one language, under the rules in force."""

    language: Language
    rules: QualityRules
    timezone: str

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.language)

    def t(self, key: str, **values: object) -> str:
        return translate(self.language, key, **values)

    def name(self, indicator: Indicator | str) -> str:
        return self.t(f"quality.name.{Indicator(indicator).value}")

    def status(self, status: Status | str) -> str:
        return self.t(f"quality.status.{Status(status).value}")

    def counts(self, indicator: Indicator | str) -> str:
        return self.t(f"quality.counts.{Indicator(indicator).value}")

    def value(self, indicator: Indicator | str, value: Decimal | None) -> str:
        """``4,67 ★`` for the rating, ``14,29 %`` for the shares, a dash when none."""
        if value is None:
            return self.fmt.missing
        unit = "★" if Indicator(indicator) is Indicator.RATING else "%"
        return f"{self.fmt.number(value, 2)}\u00a0{unit}"

    def rule(self, indicator: Indicator | str) -> str:
        """The exact definition, with the thresholds and choices in force."""
        r, fmt = self.rules, self.fmt
        ind = Indicator(indicator)
        if ind is Indicator.RATING:
            return self.t(
                "quality.rule.rating", days=r.rating_window_days,
                moderation=r.review_moderation_days, mark=_mark(r.rating_critical_below, fmt),
                good=_mark(r.rating_good, fmt), min_ratings=r.rating_min_ratings,
            )  # fmt: skip
        if ind is Indicator.SELLER_CANCELLATIONS:
            anchor = (
                "created" if r.cancellation_anchor is CancellationAnchor.CREATED else "cancelled"
            )
            return self.t(
                "quality.rule.seller_cancellations",
                reasons=", ".join(sorted(r.seller_fault_reasons)),
                days=r.cancellations_window_days,
                anchor=self.t(f"quality.anchor.{anchor}"),
                mark=_mark(r.cancellations_critical_from, fmt),
                good=_mark(r.cancellations_good, fmt),
            )
        if ind is Indicator.LATE_HANDOVERS:
            return self.t(
                "quality.rule.late_handovers", days=r.late_window_days,
                mark=_mark(r.late_critical_from, fmt), good=_mark(r.late_good, fmt),
            )  # fmt: skip
        if ind is Indicator.QUALITY_RETURNS:
            anchor = "returned" if r.return_anchor is ReturnAnchor.RETURNED else "completed"
            return self.t(
                "quality.rule.quality_returns", days=r.returns_window_days,
                anchor=self.t(f"quality.anchor.{anchor}"),
                mark=_mark(r.returns_critical_from, fmt), good=_mark(r.returns_good, fmt),
            )  # fmt: skip
        return self.t(
            "quality.rule.reviews_balance", negative=r.negative_at_most,
            positive=r.positive_at_least, days=r.balance_window_days,
        )  # fmt: skip

    def min_data_rule(self) -> str:
        r = self.rules
        return self.t(
            "quality.rule.min_data", days=r.min_orders_window_days, orders=r.min_orders_30_days,
            violations=r.min_violations_for_data,
        )  # fmt: skip

    def window(self, value: IndicatorValue) -> str:
        """The window's first and last instants in the shop's zone."""
        fmt = self.fmt
        return self.t(
            "quality.window", start=fmt.datetime(value.window_start, self.timezone),
            end=fmt.datetime(value.window_end - timedelta(microseconds=1), self.timezone),
            tz=self.timezone,
        )  # fmt: skip

    def kind(self, kind: RefKind | str) -> str:
        return self.t(f"quality.kind.{RefKind(kind).value}")

    def note(self, note: str | None) -> str:
        """A fact's note (``late by 3 h 20 min``) in the viewer's language."""
        if not note:
            return ""
        for pattern, key in _NOTES:
            found = pattern.match(note)
            if found:
                return self.t(key).format(*found.groups())
        return note


# ---- charts (Plotly figures drawn by static/app.js) -------------------------------------------


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _level_lines(
    texts: IndicatorTexts, days: Sequence[str], mark: Decimal, good: Decimal | None
) -> list[dict[str, Any]]:
    if not days:
        return []
    lines: list[dict[str, Any]] = [
        {
            "x": [days[0], days[-1]], "y": [float(mark), float(mark)], "type": "scatter",
            "mode": "lines", "name": texts.t("quality.chart.mark"), "hoverinfo": "name+y",
            "line": {"color": _MARK, "dash": "dash", "width": 1.5},
        }
    ]  # fmt: skip
    if good is not None:
        lines.append(
            {
                "x": [days[0], days[-1]], "y": [float(good), float(good)], "type": "scatter",
                "mode": "lines", "name": texts.t("quality.chart.good"), "hoverinfo": "name+y",
                "line": {"color": _GOOD, "dash": "dot", "width": 1.5},
            }
        )  # fmt: skip
    return lines


def _layout(indicator: Indicator, height: int, *, legend: bool = True) -> dict[str, Any]:
    unit = "★" if indicator is Indicator.RATING else "%"
    layout: dict[str, Any] = {
        "height": height,
        "xaxis": {"type": "date"},
        "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
        "showlegend": legend,
    }
    if not legend:
        layout["margin"] = {"l": 40, "r": 8, "t": 8, "b": 30}
    return layout


def trend_figure(
    texts: IndicatorTexts,
    indicator: Indicator,
    snapshots: Iterable[Snapshot],
    mark: Decimal,
    good: Decimal | None,
    *,
    height: int = 260,
    legend: bool = True,
) -> dict[str, Any]:
    """The indicator day by day (one snapshot a day), with its mark and good level."""
    points = [s for s in snapshots if s.indicator == indicator.value]
    days = [s.day.isoformat() for s in points]
    data: list[dict[str, Any]] = [
        {
            "x": days, "y": [_number(s.value) for s in points], "type": "scatter",
            "mode": "lines+markers" if len(points) < 40 else "lines",
            "name": texts.name(indicator), "line": {"color": _LINE, "width": 2},
        }
    ]  # fmt: skip
    data += _level_lines(texts, days, mark, good)
    return {"data": data, "layout": _layout(indicator, height, legend=legend)}


def outlook_figure(
    texts: IndicatorTexts,
    item: IndicatorOutlook,
    mark: Decimal,
    good: Decimal | None,
    *,
    height: int = 260,
) -> dict[str, Any]:
    """The next days under both scenarios of the outlook, from today's value on."""
    days = [item.as_of.isoformat(), *(d.day.isoformat() for d in item.days)]
    today = _number(item.today.value)
    nothing_new = [today, *(_number(d.if_nothing_new.value) for d in item.days)]
    at_pace = [today, *(_number(d.at_pace.value) for d in item.days)]
    data: list[dict[str, Any]] = [
        {
            "x": days, "y": nothing_new, "type": "scatter", "mode": "lines",
            "name": texts.t("quality.chart.nothing_new"), "line": {"color": _LINE, "width": 2},
        },
        {
            "x": days, "y": at_pace, "type": "scatter", "mode": "lines",
            "name": texts.t("quality.chart.at_pace"),
            "line": {"color": _PACE, "width": 2, "dash": "dashdot"},
        },
    ]  # fmt: skip
    data += _level_lines(texts, days, mark, good)
    return {"data": data, "layout": _layout(item.indicator, height)}
