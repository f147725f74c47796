"""The quality pages: every indicator with its rule, value, trend, outlook and the sanction
state (``/shops/{id}/quality``), and the orders, reviews and returns behind one indicator
(``/shops/{id}/quality/{indicator}``: newest first, a page at a time, searched by reference —
``web/paging.py``; the counts above the table are over all of them). Figures: the quality
guard's, as in the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from saudager.domains.quality.outlook import IndicatorOutlook
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.sanctions import SanctionStage
from saudager.domains.quality.types import Fact, Indicator, IndicatorValue
from saudager.web.context import Web
from saudager.web.i18n import register
from saudager.web.pages.indicators import (
    SHOWN,
    STATUS_CLASS,
    IndicatorTexts,
    outlook_figure,
    page_day,
    trend_figure,
)
from saudager.web.paging import Column, Table, page_rows
from saudager.web.security import PageError

#: Local days of history in each indicator's trend chart, and days ahead in its outlook.
TREND_DAYS = 90
OUTLOOK_DAYS = 30

register(
    {
        "quality.title": ("Показатели качества", "Quality indicators"),
        "quality.as_of": ("На дату", "As of"),
        "quality.sanctions": ("Санкции", "Sanctions"),
        "quality.stage.none": ("без санкций", "no sanction"),
        "quality.stage.first_block": ("блокировка на 7 дней", "7-day block"),
        "quality.stage.second_block": ("повторная блокировка", "repeat block"),
        "quality.stage.blocked_indefinitely": ("бессрочная блокировка", "indefinite block"),
        "quality.zhuma_only": ("только для Kaspi Жұма", "Kaspi Жұма entry only"),
        "quality.rule": ("Правило", "Rule"),
        "quality.trend": ("За {days} дн.", "Last {days} days"),
        "quality.outlook": ("Прогноз на {days} дн.", "Next {days} days"),
        "quality.outlook_none": (
            "Прогноз строится для четырёх показателей, влияющих на санкции.",
            "The outlook is made for the four indicators that bring sanctions.",
        ),
        "quality.breach_nothing_new": (
            "Если ничего нового не произойдёт, показатель перейдёт критическую отметку {day}.",
            "If nothing new happens, the indicator crosses its critical mark on {day}.",
        ),
        "quality.breach_at_pace": (
            "В текущем темпе показатель перейдёт критическую отметку {day}.",
            "At the recent pace, the indicator crosses its critical mark on {day}.",
        ),
        "quality.open_drilldown": ("Заказы, отзывы и возвраты", "Orders, reviews and returns"),
        "quality.back": ("← Все показатели", "← All indicators"),
        "quality.facts": ("Из чего складывается показатель", "What the indicator is made of"),
        "quality.facts_count": (
            "Записей: {rows} (в числителе: {numerator}, в знаменателе: {denominator}).",
            "Records: {rows} (in the numerator: {numerator}, in the denominator: {denominator}).",
        ),
        "quality.col.when": ("Дата", "Date"),
        "quality.col.kind": ("Что", "What"),
        "quality.col.ref": ("Номер", "Reference"),
        "quality.col.numerator": ("В числителе", "Numerator"),
        "quality.col.denominator": ("В знаменателе", "Denominator"),
        "quality.col.note": ("Почему", "Why"),
        "quality.yes": ("да", "yes"),
        "quality.no": ("нет", "no"),
        "quality.no_facts": (
            "В окне нет ни одного заказа, отзыва или возврата для этого показателя.",
            "No order, review or return in the window counts for this indicator.",
        ),
        "quality.filter": ("Номер заказа, отзыва или возврата", "Order, review or return number"),
    }
)

#: The facts of a drill-down (``Fact``): searched by reference, newest first as the guard lists
#: them. The numerator sorts by stars for the rating (0 for a fact outside it).
FACTS = Table(
    columns=(
        Column("when", field="at", desc_first=True),
        Column("kind", field="ref_kind"),
        Column("ref"),
        Column("numerator", value=lambda f: f.weight if f.numerator else 0, desc_first=True),
        Column("denominator", value=lambda f: int(f.denominator), desc_first=True),
        Column("note"),
    ),
    search=("ref",),
    sort="when",
    desc=True,
    anchor="facts-list",
    presorted=True,
)


@dataclass(frozen=True, slots=True)
class IndicatorCard:
    """One indicator as the quality page shows it."""

    indicator: Indicator
    value: IndicatorValue
    css: str  # the status colour
    trend: dict[str, Any]  # Plotly figure
    outlook: dict[str, Any] | None  # Plotly figure; None for the Жұма-only indicator
    breach_nothing_new: date | None
    breach_at_pace: date | None
    recovery: str | None  # how to get back below the mark / to the good level


@dataclass(frozen=True, slots=True)
class FactRow:
    """One order, review or return behind an indicator, as the drill-down lists it."""

    fact: Fact
    css: str  # "breach" for a bad event, "" otherwise


def add_routes(app: FastAPI, web: Web) -> None:
    quality = web.services.quality
    rules = web.services.settings.quality

    @app.get("/shops/{shop_id}/quality", response_class=HTMLResponse, include_in_schema=False)
    def quality_page(request: Request, shop_id: int, as_of: str | None = None) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            day = page_day(shop, as_of)
            language = web.language(request, viewer)
            texts = IndicatorTexts(language, rules, shop.timezone)
            report = quality.report(shop, day)
            history = quality.recent_history(shop, day, TREND_DAYS)
            ahead = quality.outlook(shop, day, OUTLOOK_DAYS)
            cards = [_card(texts, report.indicators[i], history, ahead.get(i)) for i in SHOWN]
            sanctions = report.sanctions
            return web.page(
                request, viewer, "quality.html", shop=shop, role=role, charts=True, as_of=day,
                texts=texts, cards=cards, sanctions=sanctions,
                sanction_css="ok" if sanctions.stage is SanctionStage.NONE else "breach",
                sanction_sentence=(
                    sanctions.sentence_ru if language == "ru" else sanctions.sentence_en
                ),
                trend_days=TREND_DAYS, outlook_days=OUTLOOK_DAYS,
            )  # fmt: skip

        return web.cached_page(request, viewer, shop, role, build)

    @app.get(
        "/shops/{shop_id}/quality/{indicator}",
        response_class=HTMLResponse,
        include_in_schema=False,
    )
    def quality_drilldown(
        request: Request, shop_id: int, indicator: str, as_of: str | None = None
    ) -> Response:
        """The facts behind one indicator, a page of them at a time (``q``, ``sort``, ``desc``,
        ``page``, ``per``); the counts over all of them."""
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            try:
                which = Indicator(indicator)
            except ValueError:
                raise PageError(404, "error.not_found") from None
            day = page_day(shop, as_of)
            texts = IndicatorTexts(web.language(request, viewer), rules, shop.timezone)
            explanation = quality.explain(shop, which, day)
            negative = rules.negative_at_most
            facts = explanation.facts
            table = page_rows(
                facts, FACTS, request.query_params, f"/shops/{shop.id}/quality/{which}"
            )
            rows = [FactRow(f, "breach" if _bad(which, f, negative) else "") for f in table.rows]
            return web.page(
                request, viewer, "quality_indicator.html", shop=shop, role=role, as_of=day,
                texts=texts, indicator=which, value=explanation.value, rows=rows, table=table,
                css=STATUS_CLASS[explanation.value.status.value], all_rows=len(facts),
                numerator_rows=sum(1 for f in facts if f.numerator),
                denominator_rows=sum(1 for f in facts if f.denominator),
            )  # fmt: skip

        return web.cached_page(request, viewer, shop, role, build)


def _bad(indicator: Indicator, fact: Fact, negative_at_most: int) -> bool:
    """A fact that pulls the indicator towards its mark: a bad event, a negative rating."""
    if indicator is Indicator.RATING:
        return fact.weight <= negative_at_most
    return fact.numerator


def _card(
    texts: IndicatorTexts,
    value: IndicatorValue,
    history: list[Snapshot],
    item: IndicatorOutlook | None,
) -> IndicatorCard:
    indicator = value.indicator
    recovery = None
    if item is not None and item.recovery is not None:
        rec = item.recovery
        recovery = rec.sentence_ru if texts.language == "ru" else rec.sentence_en
    return IndicatorCard(
        indicator=indicator,
        value=value,
        css=STATUS_CLASS[value.status.value],
        trend=trend_figure(texts, indicator, history, value.critical_mark, value.good_level),
        outlook=None
        if item is None
        else outlook_figure(texts, item, value.critical_mark, value.good_level),
        breach_nothing_new=None if item is None else item.first_breach_if_nothing_new,
        breach_at_pace=None if item is None else item.first_breach_at_pace,
        recovery=recovery,
    )
