"""The sales reports by name: one dispatch from a report's kind to its named tables, read by the
CLI (``saudager report``), the JSON API and the dashboard alike; and report results that are
not frames already, as frames (for tables, JSON and exports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

import polars as pl

from saudager.domains.analytics.economics import SkuEconomics
from saudager.domains.analytics.planner import Packing
from saudager.domains.analytics.profit_change import ProfitChange
from saudager.domains.analytics.service import AbcBy, AnalyticsService, Period, ZhumaPlan
from saudager.domains.analytics.summary import Granularity
from saudager.domains.analytics.views import tenge
from saudager.domains.shops.types import Shop

ReportKind = Literal[
    "summary",
    "abc",
    "xyz",
    "matrix",
    "products",
    "tops",
    "profit-change",
    "unit-economics",
    "zhuma",
]
REPORT_KINDS: tuple[ReportKind, ...] = get_args(ReportKind)
ABC_BY: tuple[AbcBy, ...] = get_args(AbcBy)
GRANULARITIES: tuple[str, ...] = ("day", "week", "month")
DEFAULT_TARGET_MARGIN = Decimal("0.15")
#: A report's default period: the 30 local days ending yesterday (today is not over).
DEFAULT_PERIOD_DAYS = 30
#: The days a report may be asked about: no Kaspi sale predates the first, and windows reaching
#: back or ahead from any day in between stay within the calendar.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def reportable(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def period_of(first: date | None, last: date | None, today: date) -> Period:
    """The period asked for, its missing ends filled: the last day defaults to yesterday, the
    first to ``DEFAULT_PERIOD_DAYS`` days before the last. Not checked for order."""
    end = last or today - timedelta(days=1)
    return first or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end


@dataclass(frozen=True, slots=True)
class Report:
    """One report: its tables by name, plus the objects behind the ones that are more than a
    table (the profit change's totals, the Жұма plan's sale and packing)."""

    kind: ReportKind
    period: Period
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    change: ProfitChange | None = None
    zhuma: ZhumaPlan | None = None

    def facts(self) -> dict[str, Any]:
        """What the report says beyond its tables, JSON-ready (money as tenge strings)."""
        if self.change is not None:
            change = self.change
            return {
                "profit_a": tenge(change.profit_a_tiyn),
                "profit_b": tenge(change.profit_b_tiyn),
                "change": tenge(change.change_tiyn),
                "new_skus": list(change.new_skus),
                "discontinued_skus": list(change.discontinued_skus),
                "missing_cost_skus": list(change.missing_cost_skus),
            }
        if self.zhuma is not None and self.zhuma.plan is not None:
            plan = self.zhuma.plan
            return {
                "sale": [plan.sale.start.isoformat(), plan.sale.end.isoformat()],
                "packers_needed": plan.packing.packers_needed,
                "uplift": str(plan.uplift.factor),
                "uplift_source": str(plan.uplift.source),
            }
        return {}


def build_report(
    analytics: AnalyticsService,
    shop: Shop,
    kind: ReportKind,
    period: Period,
    today: date,
    *,
    by: AbcBy = "revenue",
    granularity: Granularity = None,
    target_margin: Decimal = DEFAULT_TARGET_MARGIN,
) -> Report:
    """The tables of report ``kind`` over ``period`` (the Жұма plan as of ``today``).

    Raises ``ValueError`` for a period a report cannot use (XYZ needs a whole week) and for an
    unknown kind. Kept while the shop's data is unchanged (``AnalyticsService.derived``)."""
    key = ("report", kind, period, today, by, granularity, target_margin)
    return analytics.derived(
        shop,
        key,
        lambda: _build_report(
            analytics, shop, kind, period, today, by=by, granularity=granularity,
            target_margin=target_margin,
        ),
    )  # fmt: skip


def _build_report(
    analytics: AnalyticsService,
    shop: Shop,
    kind: ReportKind,
    period: Period,
    today: date,
    *,
    by: AbcBy,
    granularity: Granularity,
    target_margin: Decimal,
) -> Report:
    sales = analytics.sales(shop)
    if kind == "summary":
        return Report(kind, period, {"summary": analytics.summary(sales, period, granularity)})
    if kind == "abc":
        return Report(kind, period, {"abc": analytics.abc(sales, period, by)})
    if kind == "xyz":
        return Report(kind, period, {"xyz": analytics.xyz(sales, period)})
    if kind == "matrix":
        return Report(kind, period, {"matrix": analytics.matrix(sales, period, by)})
    if kind == "products":
        return Report(kind, period, {"products": analytics.products(sales, period, None)})
    if kind == "tops":
        return Report(kind, period, dict(analytics.tops(sales, period)))
    if kind == "profit-change":
        change = analytics.profit_change(sales, period, None)
        return Report(kind, period, {"profit_change": change.frame()}, change=change)
    if kind == "unit-economics":
        rows = analytics.unit_economics(sales, period[1], target_margin)
        return Report(kind, period, {"unit_economics": economics_frame(rows)})
    if kind == "zhuma":
        plan = analytics.zhuma(sales, today)
        tables: dict[str, pl.DataFrame] = {}
        if plan.plan is not None:
            tables["stock_plan"] = plan.plan.frame()
        if plan.losses is not None:
            tables["unprofitable_at_zhuma"] = plan.losses.frame()
        return Report(kind, period, tables, zhuma=plan)
    raise ValueError(f"unknown report {kind!r}: expected one of {', '.join(REPORT_KINDS)}")


@dataclass(frozen=True, slots=True)
class PackingCheck:
    """The packers a Жұма needs against the ones the seller has."""

    packers: int
    capacity_orders_per_day: int  # packers × orders one packer assembles a day
    expected_orders_per_day: Decimal
    enough: bool
    packers_short: int  # more packers needed (0 when enough)


def packing_check(packing: Packing, packers: int) -> PackingCheck:
    if packers < 0:
        raise ValueError("packers cannot be negative")
    capacity = packers * packing.orders_per_packer_per_day
    short = max(0, packing.packers_needed - packers)
    return PackingCheck(
        packers=packers,
        capacity_orders_per_day=capacity,
        expected_orders_per_day=packing.expected_orders_per_day,
        enough=capacity >= packing.expected_orders_per_day,
        packers_short=short,
    )


def economics_frame(rows: list[SkuEconomics]) -> pl.DataFrame:
    """Unit economics per SKU as a table; a SKU with a missing input says which."""
    records = []
    for row in rows:
        unit = row.economics
        zhuma = unit.juma if unit is not None else None
        records.append(
            {
                "sku": row.sku,
                "price_tiyn": unit.price_tiyn if unit else None,
                "purchase_tiyn": unit.purchase_tiyn if unit else None,
                "commission_tiyn": unit.commission_tiyn if unit else None,
                "delivery_tiyn": unit.delivery_tiyn if unit else None,
                "other_tiyn": unit.other_tiyn if unit else None,
                "tax_tiyn": unit.tax_tiyn if unit else None,
                "profit_tiyn": unit.profit_tiyn if unit else None,
                "margin": unit.margin if unit else None,
                "markup": unit.markup if unit else None,
                "break_even_price_tiyn": unit.break_even_price_tiyn if unit else None,
                "target_price_tiyn": unit.target_price_tiyn if unit else None,
                "zhuma_profit_tiyn": zhuma.profit_tiyn if zhuma else None,
                "zhuma_break_even_price_tiyn": zhuma.break_even_price_tiyn if zhuma else None,
                "missing": ", ".join(row.missing),
            }
        )
    return pl.DataFrame(records, infer_schema_length=None)
