"""The sales page (``/shops/{id}/sales``): KPIs of a period, revenue and profit over time, what
eats the revenue, the ABC × XYZ matrix, the per-product tops, the comparison with the period
before (one row per SKU, a page at a time: ``web/paging.py``) and why profit changed; every
table downloadable as XLSX and CSV (``/shops/{id}/sales/{report}.xlsx``). Figures: the
analytics reports, as in the API and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlencode

import polars as pl
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from saudager.core.timewindows import local_day
from saudager.domains.analytics.profit_change import ProfitChange
from saudager.domains.analytics.report_views import (
    ABC_BY,
    GRANULARITIES,
    ReportKind,
    build_report,
    period_of,
    reportable,
)
from saudager.domains.analytics.service import AbcBy, Period, previous_period
from saudager.domains.analytics.summary import Granularity
from saudager.domains.shops.types import Shop
from saudager.web.context import Web
from saudager.web.downloads import FileKind, file_name, table_file
from saudager.web.i18n import Language, register, translate
from saudager.web.paging import Column, Table, page_frame
from saudager.web.security import PageError

#: The reports the sales page offers as files (the Жұма plan has its own page).
SalesReport = Literal[
    "summary", "abc", "xyz", "matrix", "products", "tops", "profit-change", "unit-economics"
]
#: What eats the revenue, in the order shown (the summary's ``*_tiyn`` and ``*_share``).
COST_PARTS = ("purchase", "commission", "delivery", "advertising", "tax", "other")
#: Lists of SKUs in a sentence (unknown costs) name this many, then say how many more: a big
#: shop may have thousands; the Products page lists them all.
SKUS_NAMED = 20

#: The tops shown, in order (``missing_cost`` is listed apart).
TOPS = (
    "by_revenue", "by_margin", "by_profit", "loss_making", "below_purchase_cost",
    "most_returned", "most_cancelled", "highest_markup", "lowest_markup",
)  # fmt: skip
#: Up to this many days a period is drawn day by day, then week by week, then by month.
DAILY_UP_TO = 62
WEEKLY_UP_TO = 26 * 7
_BLUE, _GREEN, _RED, _GREY = "#0b57d0", "#137333", "#b3261e", "#5f6673"

register(
    {
        "sales.title": ("Продажи", "Sales"),
        "sales.period": ("Период", "Period"),
        "sales.by": ("ABC по", "ABC by"),
        "sales.by.revenue": ("выручке", "revenue"),
        "sales.by.profit": ("прибыли", "profit"),
        "sales.by.units": ("штукам", "units"),
        "sales.granularity": ("График по", "Chart by"),
        "sales.granularity.day": ("дням", "day"),
        "sales.granularity.week": ("неделям", "week"),
        "sales.granularity.month": ("месяцам", "month"),
        "sales.bad_date": (
            "Дата «{value}» не распознана: нужна дата вида 2026-03-01.",
            "The date “{value}” is not understood: expected a date such as 2026-03-01.",
        ),
        "sales.bad_period": (
            "Начало периода ({first}) позже его конца ({last}).",
            "The period starts ({first}) after it ends ({last}).",
        ),
        "sales.kpi.revenue": ("Выручка", "Net revenue"),
        "sales.kpi.orders": ("Заказы", "Orders"),
        "sales.kpi.units": ("Продано штук", "Units sold"),
        "sales.kpi.profit": ("Валовая прибыль", "Gross profit"),
        "sales.kpi.margin": ("Маржа", "Margin"),
        "sales.kpi.markup": ("Наценка", "Markup"),
        "sales.kpi.average_order": ("Средний чек", "Average order"),
        "sales.revenue_note": (
            "Выручка — без отмен и возвратов.",
            "Net revenue leaves out cancellations and returns.",
        ),
        "sales.missing_cost": (
            "Себестоимость неизвестна для {lines} строк заказов на {revenue}: прибыль, маржа "
            "и наценка посчитаны без них. Укажите закупочные цены на странице «Товары».",
            "The cost of {lines} order lines worth {revenue} is unknown: profit, margin and "
            "markup leave them out. Set the purchase costs on the Products page.",
        ),
        "sales.timeline": ("Выручка и прибыль", "Revenue and profit"),
        "sales.timeline_table": ("Таблица по периодам", "Table by period"),
        "sales.costs": ("Из чего складывается выручка", "What eats the revenue"),
        "sales.cost.purchase": ("Закупка", "Purchase"),
        "sales.cost.commission": ("Комиссия Kaspi", "Kaspi commission"),
        "sales.cost.delivery": ("Доставка", "Delivery"),
        "sales.cost.advertising": ("Реклама", "Advertising"),
        "sales.cost.tax": ("Налог", "Tax"),
        "sales.cost.other": ("Прочее", "Other"),
        "sales.cost.advertising_unattached": (
            "Реклама в дни без продаж",
            "Advertising on days without sales",
        ),
        "sales.cost.profit": ("Прибыль", "Profit"),
        "sales.col.part": ("Статья", "Part"),
        "sales.col.amount": ("Сумма", "Amount"),
        "sales.col.share": ("Доля выручки", "Share of revenue"),
        "sales.col.period": ("Период", "Period"),
        "sales.col.revenue": ("Выручка", "Revenue"),
        "sales.col.profit": ("Прибыль", "Profit"),
        "sales.col.orders": ("Заказы", "Orders"),
        "sales.col.units": ("Штук", "Units"),
        "sales.col.margin": ("Маржа", "Margin"),
        "sales.col.markup": ("Наценка", "Markup"),
        "sales.col.returned": ("Возвращено", "Returned"),
        "sales.col.return_share": ("Доля возвратов", "Return share"),
        "sales.col.cancelled": ("Отменено заказов", "Cancelled orders"),
        "sales.col.cancel_share": ("Доля отмен", "Cancel share"),
        "sales.col.delivery": ("Доставка", "Delivery"),
        "sales.col.avg_price": ("Средняя цена", "Average price"),
        "sales.col.sku": ("Артикул", "SKU"),
        "sales.col.change": ("Изменение", "Change"),
        "sales.matrix": ("ABC × XYZ", "ABC × XYZ"),
        "sales.matrix_note": (
            "ABC по {by}: A — товары, дающие первые {a} суммы, B — до {b}, C — остальные. "
            "XYZ — насколько ровно товар продаётся по неделям: X — ровно, Y — с колебаниями, "
            "Z — непредсказуемо.",
            "ABC by {by}: A are the products making the first {a} of the total, B up to {b}, "
            "C the rest. XYZ is how steadily a product sells week by week: X steady, "
            "Y varying, Z unpredictable.",
        ),
        "sales.matrix_needs_week": (
            "Для XYZ в периоде нужна хотя бы одна полная неделя (пн–вс).",
            "XYZ needs at least one whole week (Monday to Sunday) in the period.",
        ),
        "sales.cell": (
            "товаров: {skus}, доля выручки: {share}",
            "SKUs: {skus}, share of revenue: {share}",
        ),
        "sales.tops": ("Топы товаров", "Product tops"),
        "sales.top.by_revenue": ("По выручке", "By revenue"),
        "sales.top.by_margin": ("По марже", "By margin"),
        "sales.top.by_profit": ("По прибыли", "By profit"),
        "sales.top.loss_making": ("Убыточные", "Loss-making"),
        "sales.top.below_purchase_cost": (
            "Продаются дешевле закупки",
            "Sold below purchase cost",
        ),
        "sales.top.most_returned": ("Чаще всего возвращают", "Most returned"),
        "sales.top.most_cancelled": ("Чаще всего отменяют", "Most cancelled"),
        "sales.top.highest_markup": ("Самая высокая наценка", "Highest markup"),
        "sales.top.lowest_markup": ("Самая низкая наценка", "Lowest markup"),
        "sales.top.missing_cost": ("Себестоимость неизвестна", "Cost unknown"),
        "sales.top.empty": ("Таких товаров нет.", "No such products."),
        "sales.comparison": ("Сравнение с предыдущим периодом", "Compared with the period before"),
        "sales.comparison_note": (
            "{first_b}–{last_b} против {first_a}–{last_a}. Нажмите на заголовок, чтобы "
            "отсортировать все товары; полная таблица — в файле.",
            "{first_b}–{last_b} against {first_a}–{last_a}. Click a heading to sort all the "
            "products; the whole table is in the file.",
        ),
        "sales.profit_change": ("Почему изменилась прибыль", "Why profit changed"),
        "sales.profit_before": ("Прибыль до", "Profit before"),
        "sales.profit_after": ("Прибыль после", "Profit after"),
        "sales.profit_change_sum": (
            "Прибыль изменилась на {change}: {before} → {after}. Части ниже складываются в "
            "это изменение ровно, до тиына.",
            "Profit changed by {change}: {before} → {after}. The parts below add up to the "
            "change exactly, to the tiyn.",
        ),
        "sales.and_more": ("и ещё {count}", "and {count} more"),
        "sales.profit_change_missing": (
            "Без товаров с неизвестной себестоимостью: {skus}.",
            "Leaving out the products whose cost is unknown: {skus}.",
        ),
        "sales.pp": ("п. п.", "pp"),
        "sales.filter": ("Артикул", "SKU"),
    }
)


def _figure(key: str, name: str) -> tuple[Column, Column]:
    """A figure of the comparison in the period shown and its change."""
    return (
        Column(key, field=f"{name}_b", desc_first=True),
        Column(f"{key}_change", field=f"{name}_delta", desc_first=True),
    )


#: The comparison with the period before (the ``products`` report's frame, by SKU): searched by
#: SKU, sortable by any column, the biggest revenue first.
COMPARISON = Table(
    columns=(
        Column("sku"),
        *_figure("units", "units"),
        *_figure("revenue", "revenue_tiyn"),
        *_figure("profit", "profit_tiyn"),
        *_figure("margin", "margin"),
        *_figure("returned", "returned_units"),
        *_figure("cancelled", "cancelled_orders"),
        *_figure("delivery", "delivery_tiyn"),
    ),
    search=("sku",),
    sort="revenue",
    desc=True,
    anchor="comparison",
)


@dataclass(frozen=True, slots=True)
class SalesQuery:
    """What the page and its downloads were asked for."""

    period: Period
    by: AbcBy
    granularity: Granularity  # chart and timeline table
    chosen_granularity: str  # "" when picked by the period's length

    def query(self, **more: str) -> str:
        values = {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()}
        return urlencode({**values, "by": self.by, **more})


@dataclass(frozen=True, slots=True)
class CostPart:
    key: str
    amount_tiyn: int
    share: float | None


def read_query(
    shop: Shop, first: str | None, last: str | None, by: str | None, granularity: str | None
) -> SalesQuery:
    """The page's parameters: a date that cannot be read or a period backwards is an error
    page; an unknown ``by`` or ``granularity`` falls back to the default."""
    today = local_day(datetime.now(UTC), shop.timezone)
    period = period_of(_day(first), _day(last), today)
    if period[0] > period[1]:
        raise PageError(
            400, "sales.bad_period", first=period[0].isoformat(), last=period[1].isoformat()
        )
    chosen = granularity if granularity in GRANULARITIES else ""
    length = (period[1] - period[0]).days + 1
    auto = "day" if length <= DAILY_UP_TO else "week" if length <= WEEKLY_UP_TO else "month"
    return SalesQuery(
        period=period,
        by=by if by in ABC_BY else "revenue",
        granularity=cast("Granularity", chosen or auto),
        chosen_granularity=chosen,
    )


def _day(raw: str | None) -> date | None:
    if raw is None or not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        day = None
    if day is None or not reportable(day):
        raise PageError(400, "sales.bad_date", value=raw[:40])
    return day


def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return list(frame.iter_rows(named=True))


def cost_parts(summary: dict[str, Any]) -> list[CostPart]:
    """The summary's costs with their shares of revenue, then the period's profit."""
    parts = [CostPart(key, summary[f"{key}_tiyn"], summary[f"{key}_share"]) for key in COST_PARTS]
    if summary["advertising_unattached_tiyn"]:
        parts.append(
            CostPart("advertising_unattached", summary["advertising_unattached_tiyn"], None)
        )
    return parts


def _tenge(tiyn: int | None) -> float | None:
    """Tenge for a chart's axis only (tables show exact amounts)."""
    return None if tiyn is None else tiyn / 100


def timeline_figure(language: Language, timeline: list[dict[str, Any]]) -> dict[str, Any]:
    x = [row["period_start"].isoformat() for row in timeline]
    return {
        "data": [
            {
                "type": "bar", "x": x, "y": [_tenge(r["revenue_tiyn"]) for r in timeline],
                "name": translate(language, "sales.col.revenue"), "marker": {"color": _BLUE},
            },
            {
                "type": "scatter", "mode": "lines+markers", "x": x,
                "y": [_tenge(r["profit_tiyn"]) for r in timeline],
                "name": translate(language, "sales.col.profit"), "line": {"color": _GREEN},
            },
        ],
        "layout": {"height": 320, "xaxis": {"type": "date"}, "yaxis": {"title": {"text": "₸"}}},
    }  # fmt: skip


def costs_figure(language: Language, parts: list[CostPart]) -> dict[str, Any]:
    shown = [p for p in parts if p.share is not None]
    return {
        "data": [
            {
                "type": "bar", "orientation": "h",
                "y": [translate(language, f"sales.cost.{p.key}") for p in shown],
                "x": [round((p.share or 0) * 100, 2) for p in shown],
                "marker": {"color": _BLUE}, "name": translate(language, "sales.col.share"),
            }
        ],
        "layout": {
            "height": 280, "xaxis": {"title": {"text": "%"}}, "yaxis": {"autorange": "reversed"},
            "showlegend": False,
        },
    }  # fmt: skip


def change_rows(language: Language, change: ProfitChange) -> list[dict[str, Any]]:
    return [
        {"component": row["component"], "amount_tiyn": row["amount_tiyn"],
         "label": row["label_ru"] if language == "ru" else row["label_en"]}
        for row in change.frame().iter_rows(named=True)
    ]  # fmt: skip


def waterfall_figure(
    language: Language, change: ProfitChange, parts: list[dict[str, Any]]
) -> dict[str, Any]:
    """Profit before, each part of the change, profit after."""
    moved = [p for p in parts if p["amount_tiyn"] != 0]
    before, after = (translate(language, k) for k in ("sales.profit_before", "sales.profit_after"))
    return {
        "data": [
            {
                "type": "waterfall",
                "x": [before, *(p["label"] for p in moved), after],
                "measure": ["absolute", *("relative" for _ in moved), "total"],
                "y": [
                    _tenge(change.profit_a_tiyn),
                    *(_tenge(p["amount_tiyn"]) for p in moved),
                    _tenge(change.profit_b_tiyn),
                ],
                "increasing": {"marker": {"color": _GREEN}},
                "decreasing": {"marker": {"color": _RED}},
                "totals": {"marker": {"color": _GREY}},
            }
        ],
        "layout": {"height": 340, "showlegend": False, "yaxis": {"title": {"text": "₸"}}},
    }


def matrix_grid(matrix: pl.DataFrame | None) -> dict[str, dict[str, Any]]:
    """The nine cells by name (``"AX"``…)."""
    return {} if matrix is None else {row["cell"]: row for row in matrix.iter_rows(named=True)}


def add_routes(app: FastAPI, web: Web) -> None:
    analytics = web.services.analytics
    rules = web.services.settings.analytics

    def tables_of(
        shop: Shop, kind: ReportKind, query: SalesQuery, granularity: Granularity = None
    ) -> dict[str, pl.DataFrame]:
        today = local_day(datetime.now(UTC), shop.timezone)
        built = build_report(
            analytics, shop, kind, query.period, today, by=query.by, granularity=granularity
        )
        return built.tables

    @app.get("/shops/{shop_id}/sales", response_class=HTMLResponse, include_in_schema=False)
    def sales_page(
        request: Request,
        shop_id: int,
        first: Annotated[str | None, Query(alias="from")] = None,
        last: Annotated[str | None, Query(alias="to")] = None,
        by: str | None = None,
        granularity: str | None = None,
    ) -> Response:
        viewer = web.guard.page_viewer(request)
        shop, role = web.guard.page_shop(viewer, shop_id)

        def build() -> Response:
            query = read_query(shop, first, last, by, granularity)
            language = web.language(request, viewer)
            today = local_day(datetime.now(UTC), shop.timezone)
            summary = rows(tables_of(shop, "summary", query)["summary"])[0]
            timeline = rows(tables_of(shop, "summary", query, query.granularity)["summary"])
            try:
                matrix: pl.DataFrame | None = tables_of(shop, "matrix", query)["matrix"]
            except ValueError:  # no whole week in the period
                matrix = None
            tops = tables_of(shop, "tops", query)
            comparison = page_frame(
                tables_of(shop, "products", query)["products"], COMPARISON, request.query_params,
                f"/shops/{shop.id}/sales",
            )  # fmt: skip
            change = build_report(analytics, shop, "profit-change", query.period, today).change
            if change is None:  # the profit-change report always explains the change
                raise RuntimeError("the profit-change report gave no change")
            parts = cost_parts(summary)
            change_parts = change_rows(language, change)
            return web.page(
                request, viewer, "sales.html", shop=shop, role=role, charts=True, query=query,
                period=query.period, before=previous_period(query.period), summary=summary,
                timeline=timeline, cost_parts=parts, matrix=matrix_grid(matrix),
                has_matrix=matrix is not None, tops={name: rows(tops[name]) for name in TOPS},
                missing_cost=rows(tops["missing_cost"].head(SKUS_NAMED)),
                missing_cost_total=tops["missing_cost"].height, comparison=comparison,
                change_missing_named=change.missing_cost_skus[:SKUS_NAMED],
                change=change, change_parts=change_parts,
                timeline_figure=timeline_figure(language, timeline),
                costs_figure=costs_figure(language, parts),
                waterfall_figure=waterfall_figure(language, change, change_parts),
                granularities=GRANULARITIES, abc_by=ABC_BY, abc_a=rules.abc_a_upto,
                abc_b=rules.abc_b_upto,
            )  # fmt: skip

        return web.cached_page(request, viewer, shop, role, build)

    @app.get("/shops/{shop_id}/sales/{report}.{kind}", include_in_schema=False)
    def sales_download(
        request: Request,
        shop_id: int,
        report: SalesReport,
        kind: FileKind,
        first: Annotated[str | None, Query(alias="from")] = None,
        last: Annotated[str | None, Query(alias="to")] = None,
        by: str | None = None,
        granularity: str | None = None,
        table: str | None = None,
    ) -> Response:
        """A report of the page as a file; ``granularity`` only when asked for (the summary
        of the whole period otherwise), ``table``: one table of a report with several."""
        viewer = web.guard.page_viewer(request)
        shop, _ = web.guard.page_shop(viewer, shop_id)
        query = read_query(shop, first, last, by, granularity)
        per = query.granularity if query.chosen_granularity else None
        try:
            tables = tables_of(shop, report, query, per)
        except ValueError:  # XYZ without a whole week
            raise PageError(400, "sales.matrix_needs_week") from None
        stem = file_name(report, per or "", *query.period)
        return table_file(tables, kind, stem, timezone=shop.timezone, table=table)
