"""The overview of a shop (``/shops/{id}``): the four indicators with their trends, the orders
to hand over or accept today, revenue and profit against the period before, and the next Kaspi
Жұма. Every figure is the dashboard service's (``Services.dashboard``), as in the API twin
``/api/v1/shops/{id}/overview``; each links to the page with the orders behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from saudager.domains.dashboard.types import IndicatorOverview
from saudager.domains.quality.eligibility import Verdict
from saudager.domains.quality.outlook import plural_en, plural_ru
from saudager.domains.quality.types import SANCTIONED, Indicator
from saudager.domains.quality.warnings import DeadlineWarning, duration_text
from saudager.web.context import Web
from saudager.web.i18n import Language, register, translate
from saudager.web.pages.indicators import (
    STATUS_CLASS,
    IndicatorTexts,
    moment_on,
    page_day,
    trend_figure,
)

register(
    {
        "overview.title": ("Обзор", "Overview"),
        "overview.as_of": ("На дату", "As of"),
        "overview.indicators": ("Показатели качества", "Quality indicators"),
        "overview.all_indicators": ("Все показатели и прогноз", "All indicators and outlook"),
        "overview.at_risk": ("Сегодня под угрозой", "At risk today"),
        "overview.at_risk_none": (
            "Нет заказов, которые нужно передать или принять до конца дня.",
            "No order to hand over or accept before the end of the day.",
        ),
        "overview.at_risk_at": ("Расчёт на {moment}.", "As of {moment}."),
        "overview.col.order": ("Заказ", "Order"),
        "overview.col.task": ("Что сделать", "To do"),
        "overview.col.deadline": ("Срок", "Deadline"),
        "overview.col.left": ("Осталось", "Time left"),
        "overview.col.if_missed": ("Если не успеть", "If missed"),
        "overview.task.handover": ("передать в Kaspi Доставку", "hand over to Kaspi Delivery"),
        "overview.task.acceptance": ("принять заказ", "accept the order"),
        "overview.missed.handover": (
            "заказ попадёт в долю опозданий с передачей",
            "the order counts as a late handover",
        ),
        "overview.missed.acceptance": (
            "Kaspi отменит заказ как «Нет в наличии» — отмена по вине продавца",
            "Kaspi cancels it as out of stock — a seller-fault cancellation",
        ),
        "overview.overdue": ("просрочено на {span}", "overdue by {span}"),
        "overview.sales": ("Выручка и прибыль", "Revenue and profit"),
        "overview.period": ("Последние {days} дн.", "Last {days} days"),
        "overview.previous": ("Предыдущие {days} дн.", "Previous {days} days"),
        "overview.change": ("Изменение", "Change"),
        "overview.revenue": ("Чистая выручка", "Net revenue"),
        "overview.profit": ("Прибыль", "Profit"),
        "overview.period_dates": ("{first} — {last}", "{first} to {last}"),
        "overview.missing_cost": (
            "Прибыль без {lines} строк с неизвестной себестоимостью (выручка {revenue}).",
            "Profit leaves out {lines} lines with an unknown cost (revenue {revenue}).",
        ),
        "overview.zhuma": ("Kaspi Жұма", "Kaspi Жұма"),
        "overview.zhuma_now": ("Kaspi Жұма идёт сейчас.", "Kaspi Жұма is on now."),
        "overview.zhuma_in": (
            "До Kaspi Жұма {days} {word}: {first} — {last}.",
            "Kaspi Жұма in {days} {word}: {first} to {last}.",
        ),
        "overview.zhuma_none": (
            "В календаре нет следующей Kaspi Жұма.",
            "The calendar has no Kaspi Жұма ahead.",
        ),
        "overview.zhuma_assumed": ("даты предполагаемые", "assumed dates"),
        "overview.verdict.eligible": ("можно участвовать", "eligible"),
        "overview.verdict.not_eligible": ("участвовать нельзя", "not eligible"),
        "overview.verdict.not_confirmed": ("не подтверждено", "not confirmed"),
        "overview.zhuma_plan": ("План к Kaspi Жұма →", "Kaspi Жұма plan →"),
    }
)

#: The colour of each Жұма verdict.
VERDICT_CLASS = {
    Verdict.ELIGIBLE.value: "ok",
    Verdict.NOT_ELIGIBLE.value: "breach",
    Verdict.NOT_CONFIRMED.value: "warning",
}


@dataclass(frozen=True, slots=True)
class AtRiskRow:
    warning: DeadlineWarning
    left: str  # "2 ч 15 мин" or "просрочено на 40 мин"
    css: str


def add_routes(app: FastAPI, web: Web) -> None:
    dashboard = web.services.dashboard
    rules = web.services.settings.quality

    @app.get("/shops/{shop_id}", response_class=HTMLResponse, include_in_schema=False)
    def overview_page(request: Request, shop_id: int, as_of: str | None = None) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            day = page_day(shop, as_of)
            language = web.language(request, viewer)
            texts = IndicatorTexts(language, rules, shop.timezone)
            overview = dashboard.overview(shop, moment_on(shop, day))
            zhuma = overview.zhuma
            return web.page(
                request, viewer, "overview.html", shop=shop, role=role, charts=True,
                as_of=overview.as_of, texts=texts, overview=overview,
                cards=[_card(texts, i, overview.indicators[i]) for i in SANCTIONED],
                at_risk=[_at_risk(w, language) for w in overview.at_risk],
                periods=[overview.last_7_days, overview.last_30_days],
                zhuma_days_word=_days_word(overview.days_to_zhuma, language),
                verdict_css=VERDICT_CLASS[zhuma.verdict.value],
                zhuma_sentence=zhuma.sentence_ru if language == "ru" else zhuma.sentence_en,
            )  # fmt: skip

        return web.cached_page(request, viewer, shop, role, build)


def _card(texts: IndicatorTexts, indicator: Indicator, item: IndicatorOverview) -> dict[str, Any]:
    value = item.current
    return {
        "indicator": indicator,
        "value": value,
        "css": STATUS_CLASS[value.status.value],
        "trend": trend_figure(
            texts,
            indicator,
            item.trend,
            value.critical_mark,
            value.good_level,
            height=170,
            legend=False,
        ),
    }


def _at_risk(warning: DeadlineWarning, language: Language) -> AtRiskRow:
    span = duration_text(warning.minutes_left, ru=language == "ru")
    if warning.late:
        return AtRiskRow(warning, translate(language, "overview.overdue", span=span), "breach")
    return AtRiskRow(warning, span, "warning" if warning.minutes_left < 120 else "")


def _days_word(days: int | None, language: Language) -> str:
    if days is None:
        return ""
    if language == "ru":
        return plural_ru(days, "день", "дня", "дней")
    return plural_en(days, "day", "days")
