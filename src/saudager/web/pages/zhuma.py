"""The Kaspi Жұма page (``/shops/{id}/zhuma``): the next (or running) sale and the days to it,
whether the shop may take part (the quality module's verdict, criterion by criterion), what
sells at a loss at Жұма costs, the stock to have per SKU and the packers it takes; the plan and
the losses a page at a time (searched by SKU or name, sorted by any column: ``web/paging.py``)
and whole as XLSX and CSV (``/shops/{id}/zhuma/{table}.xlsx``). Figures: the ``zhuma`` report,
as in the API and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Literal, get_args

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from saudager.core.timewindows import local_day
from saudager.domains.analytics.planner import UnprofitableSku
from saudager.domains.analytics.report_views import (
    Report,
    build_report,
    packing_check,
    period_of,
    reportable,
)
from saudager.domains.quality.eligibility import Outcome, Verdict
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.downloads import FileKind, file_name, table_file
from saudager.web.i18n import register
from saudager.web.paging import Column, Table, page_rows
from saudager.web.security import PageError

#: The tables of the ``zhuma`` report offered as files.
ZhumaTable = Literal["stock_plan", "unprofitable_at_zhuma"]
TABLES: tuple[ZhumaTable, ...] = get_args(ZhumaTable)
OUTCOME_CSS = {Outcome.PASS: "ok", Outcome.FAIL: "breach", Outcome.NOT_CHECKED: "warning"}
VERDICT_CSS = {
    Verdict.ELIGIBLE: "ok",
    Verdict.NOT_ELIGIBLE: "breach",
    Verdict.NOT_CONFIRMED: "warning",
}
#: At most this many packers may be typed in (a form field, not a staffing plan).
MAX_PACKERS = 10_000

register(
    {
        "zhuma.title": ("Kaspi Жұма", "Kaspi Жұма"),
        "zhuma.as_of": ("На дату", "As of"),
        "zhuma.packers": ("Упаковщиков у вас", "Packers you have"),
        "zhuma.bad_date": (
            "Дата «{value}» не распознана: нужна дата вида 2026-03-01.",
            "The date “{value}” is not understood: expected a date such as 2026-03-01.",
        ),
        "zhuma.bad_packers": (
            "Число упаковщиков «{value}» не распознано: нужно целое число от 0.",
            "The number of packers “{value}” is not understood: expected a whole number from 0.",
        ),
        "zhuma.sale": ("Распродажа", "The sale"),
        "zhuma.running": ("Идёт сейчас: {start} – {end}", "Running now: {start} – {end}"),
        "zhuma.next": ("Следующая: {start} – {end}", "Next: {start} – {end}"),
        "zhuma.days_to": ("Дней до начала: {days}", "Days to go: {days}"),
        "zhuma.ends_in": ("Дней до конца: {days}", "Days left: {days}"),
        "zhuma.assumed": (
            "Даты предположительные: Kaspi объявит точные позже.",
            "Assumed dates: Kaspi announces the exact ones later.",
        ),
        "zhuma.no_sale": (
            "В календаре нет будущих распродаж: добавьте даты в настройку zhuma_calendar.",
            "No sale ahead in the calendar: add its dates to the setting zhuma_calendar.",
        ),
        "zhuma.eligibility": ("Допуск к участию", "May the shop take part"),
        "zhuma.verdict.eligible": ("допущен", "eligible"),
        "zhuma.verdict.not_eligible": ("не допущен", "not eligible"),
        "zhuma.verdict.not_confirmed": ("не подтверждено", "not confirmed"),
        "zhuma.outcome.pass": ("выполнено", "met"),
        "zhuma.outcome.fail": ("не выполнено", "not met"),
        "zhuma.outcome.not_checked": ("не проверено", "not checked"),
        "zhuma.col.criterion": ("Условие", "Criterion"),
        "zhuma.col.value": ("Значение", "Value"),
        "zhuma.col.mark": ("Порог", "Mark"),
        "zhuma.col.outcome": ("Итог", "Outcome"),
        "zhuma.col.note": ("Примечание", "Note"),
        "zhuma.unit.reviews": ("отз.", "reviews"),
        "zhuma.unit.days": ("дн.", "days"),
        "zhuma.quality_link": ("Показатели качества", "Quality indicators"),
        "zhuma.losses": ("Уйдут в минус на Жұма", "Loss-making at Жұма costs"),
        "zhuma.losses_note": (
            "Прибыль на единицу с повышенной комиссией Kaspi на время Жұма, по экономике "
            "последних 30 дней.",
            "Profit per unit with Kaspi's raised Жұма commission, on the last 30 days' unit "
            "economics.",
        ),
        "zhuma.losses_none": (
            "Ни один товар с известной себестоимостью не уходит в минус.",
            "No product with a known cost sells at a loss.",
        ),
        "zhuma.rates_unset": (
            "Повышенная комиссия Kaspi на Жұма не задана (настройки "
            "analytics.juma_commission_uplift_bp и analytics.juma_instalment_fee_bp): прибыль "
            "на Жұма не посчитана.",
            "Kaspi's raised Жұма commission is not set (settings "
            "analytics.juma_commission_uplift_bp and analytics.juma_instalment_fee_bp): the Жұма "
            "profit is not computed.",
        ),
        "zhuma.unknown": (
            "Прибыль неизвестна (не хватает себестоимости): {skus}.",
            "Profit unknown (a cost is missing): {skus}.",
        ),
        "zhuma.col.sku": ("Артикул", "SKU"),
        "zhuma.col.name": ("Название", "Name"),
        "zhuma.col.zhuma_profit": ("Прибыль на ед. в Жұма", "Profit per unit at Жұма"),
        "zhuma.col.usual_profit": ("Обычная прибыль на ед.", "Usual profit per unit"),
        "zhuma.col.expected_units": ("Ожидается продаж, шт.", "Expected units"),
        "zhuma.col.expected_loss": ("Ожидаемый убыток", "Expected loss"),
        "zhuma.plan": ("План запасов", "Stock plan"),
        "zhuma.plan_note": (
            "Спрос — по продажам {first} – {last} без дней прошлых Жұма ({days} дн.), "
            "умноженный на {uplift}× ({source}).",
            "Demand from the sales of {first} – {last} without past Жұма days ({days} days), "
            "times {uplift}× ({source}).",
        ),
        "zhuma.uplift.given": ("задано продавцом", "given by the seller"),
        "zhuma.uplift.measured": ("по прошлой Жұма магазина", "measured on the shop's last Жұма"),
        "zhuma.uplift.default": ("по умолчанию", "the default"),
        "zhuma.col.units_sold": ("Продано", "Sold"),
        "zhuma.col.daily_demand": ("Спрос в день", "Daily demand"),
        "zhuma.col.stock": ("Остаток", "Stock"),
        "zhuma.col.to_order": ("Заказать", "To order"),
        "zhuma.col.expected_revenue": ("Ожидаемая выручка", "Expected revenue"),
        "zhuma.stock_unknown": ("неизвестен", "unknown"),
        "zhuma.to_order_total": ("Всего заказать: {units} шт.", "To order in all: {units} units"),
        "zhuma.packing": ("Упаковка", "Packing"),
        "zhuma.orders_per_day": ("Ожидается заказов в день", "Expected orders a day"),
        "zhuma.per_packer": ("Один упаковщик собирает в день", "One packer assembles a day"),
        "zhuma.packers_needed": ("Нужно упаковщиков", "Packers needed"),
        "zhuma.capacity": ("Ваша мощность, заказов в день", "Your capacity, orders a day"),
        "zhuma.enough": ("Упаковщиков хватает.", "You have enough packers."),
        "zhuma.short": (
            "Не хватает упаковщиков: ещё {packers}.",
            "Not enough packers: {packers} more needed.",
        ),
        "zhuma.no_plan": (
            "План не построен: нет ни одной распродажи впереди.",
            "No plan: there is no sale ahead.",
        ),
        "zhuma.filter": ("Артикул или название", "SKU or name"),
    }
)


@dataclass(frozen=True, slots=True)
class LossRow:
    """A product that loses money at Жұма, with its name from the plan."""

    loss: UnprofitableSku
    name: str | None


#: The stock plan (``SkuPlan`` rows): best sellers (by expected revenue) first, as planned.
PLAN = Table(
    columns=(
        Column("sku"),
        Column("name", field="product_name"),
        Column("units_sold", desc_first=True),
        Column("daily_demand", desc_first=True),
        Column("expected_units", desc_first=True),
        Column("stock", desc_first=True),
        Column("to_order", desc_first=True),
        Column("expected_revenue", field="expected_revenue_tiyn", desc_first=True),
    ),
    search=("sku", "name"),
    sort="expected_revenue",
    desc=True,
    anchor="plan",
    presorted=True,
)
#: The products at a loss (``LossRow``): the biggest expected loss first, as the report ranks.
LOSSES = Table(
    columns=(
        Column("sku", value=lambda r: r.loss.sku),
        Column("name"),
        Column("zhuma_profit", value=lambda r: r.loss.profit_per_unit_tiyn),
        Column("usual_profit", value=lambda r: r.loss.usual_profit_per_unit_tiyn),
        Column("expected_units", value=lambda r: r.loss.expected_units, desc_first=True),
        Column("expected_loss", value=lambda r: r.loss.expected_loss_tiyn),
    ),
    search=("sku", "name"),
    sort="expected_loss",
    prefix="loss_",
    anchor="losses",
    presorted=True,
)


def _day(shop: Shop, raw: str | None) -> date:
    """``?as_of=``, else the shop's local today."""
    if raw is None or not raw.strip():
        return local_day(datetime.now(UTC), shop.timezone)
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or not reportable(day):
        raise PageError(400, "zhuma.bad_date", value=raw[:40])
    return day


def _packers(raw: str | None) -> int | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not text.isdigit() or int(text) > MAX_PACKERS:
        raise PageError(400, "zhuma.bad_packers", value=raw[:40])
    return int(text)


def add_routes(app: FastAPI, web: Web) -> None:
    analytics = web.services.analytics
    rules = web.services.settings.analytics

    def zhuma_report(shop: Shop, day: date) -> Report:
        return build_report(analytics, shop, "zhuma", period_of(None, None, day), day)

    @app.get("/shops/{shop_id}/zhuma", response_class=HTMLResponse, include_in_schema=False)
    def zhuma_page(
        request: Request, shop_id: int, as_of: str | None = None, packers: str | None = None
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            day = _day(shop, as_of)
            have = _packers(packers)
            report = zhuma_report(shop, day)
            zhuma = report.zhuma
            plan = zhuma.plan if zhuma is not None else None
            losses = zhuma.losses if zhuma is not None else None
            eligibility = web.services.quality.report(shop, day).zhuma
            names = {p.sku: p.product_name for p in plan.skus} if plan is not None else {}
            path, params = f"/shops/{shop.id}/zhuma", request.query_params
            plan_page = None if plan is None else page_rows(plan.skus, PLAN, params, path)
            loss_rows = (
                [LossRow(u, names.get(u.sku)) for u in losses.unprofitable] if losses else []
            )
            losses_page = page_rows(loss_rows, LOSSES, params, path)
            rates_set = (
                rules.juma_commission_uplift_bp is not None
                or rules.juma_instalment_fee_bp is not None
            )
            return web.page(
                request, viewer, "zhuma.html", shop=shop, role=role, as_of=day, packers=have,
                eligibility=eligibility, timing=eligibility.timing, plan=plan, losses=losses,
                plan_page=plan_page, losses_page=losses_page, rates_set=rates_set,
                outcome_css=OUTCOME_CSS,
                verdict_css=VERDICT_CSS[eligibility.verdict],
                check=None if plan is None or have is None else packing_check(plan.packing, have),
                tables=[name for name in TABLES if name in report.tables],
            )  # fmt: skip

        return web.cached_page(request, viewer, shop, role, build)

    @app.get("/shops/{shop_id}/zhuma/{table}.{kind}", include_in_schema=False)
    def zhuma_download(
        request: Request,
        shop_id: int,
        table: ZhumaTable,
        kind: FileKind,
        as_of: Annotated[str | None, Query()] = None,
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, _ = web.guard.page_shop(viewer, shop_id)
        day = _day(shop, as_of)
        report = zhuma_report(shop, day)
        stem = file_name("zhuma", day)
        return table_file(report.tables, kind, stem, timezone=shop.timezone, table=table)
