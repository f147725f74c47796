"""The sales reports of one shop: the store's frames, costed once, read by every report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

import polars as pl

from saudager.core.gcpause import collector_paused
from saudager.domains.analytics.abc import abc_analysis, abc_xyz_matrix, xyz_analysis
from saudager.domains.analytics.commission_defaults import default_commissions
from saudager.domains.analytics.costs import cost_lines
from saudager.domains.analytics.economics import SkuEconomics, per_sku, profits_per_unit
from saudager.domains.analytics.lines import prepare_lines, prepare_returns
from saudager.domains.analytics.planner import (
    StockPlan,
    ZhumaLosses,
    stock_plan,
    unprofitable_at_zhuma,
)
from saudager.domains.analytics.products import product_stats, tops
from saudager.domains.analytics.profit_change import ProfitChange, explain_profit_change
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.analytics.summary import Granularity, summarize
from saudager.domains.analytics.types import COMMISSION_SCHEMA
from saudager.domains.orders.ports import Store
from saudager.domains.quality.eligibility import JumaWindow, calendar_from_days, juma_timing
from saudager.domains.shops.types import Shop

Period = tuple[date, date]
AbcBy = Literal["revenue", "profit", "units"]


@dataclass(frozen=True, slots=True)
class ShopSales:
    """A shop's sales, costed: what every report reads."""

    shop: Shop
    lines: pl.DataFrame  # SALES_LINES_SCHEMA
    costed: pl.DataFrame  # COSTED_LINES_SCHEMA
    costs: pl.DataFrame  # COSTS_SCHEMA
    commissions: pl.DataFrame  # COMMISSION_SCHEMA: the seller's rates, then the defaults
    ad_spend: pl.DataFrame  # AD_SPEND_SCHEMA
    stock: dict[str, int | None]


@dataclass(frozen=True, slots=True)
class ZhumaPlan:
    sale: JumaWindow | None
    plan: StockPlan | None
    losses: ZhumaLosses | None


def previous_period(period: Period) -> Period:
    """The period of the same length just before ``period``."""
    first, last = period
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


class AnalyticsService:
    def __init__(
        self, store: Store, rules: AnalyticsRules, zhuma_calendar: tuple[tuple[date, date], ...]
    ) -> None:
        self._store = store
        self._rules = rules
        self._calendar = calendar_from_days(zhuma_calendar)

    def sales(self, shop: Shop) -> ShopSales:
        with self._store.transaction() as tx:
            frames = tx.sales_frames(shop.id)
        lines = prepare_lines(frames.lines, shop.timezone)
        returns = prepare_returns(frames.returns, shop.timezone)
        # The seller's own rates first: for the same category, mode and day they win.
        commissions = pl.concat(
            [frames.commission_rates.cast(COMMISSION_SCHEMA), default_commissions()],  # type: ignore[arg-type]
            how="vertical",
        ).unique(subset=["category", "payment_mode", "effective_from"], keep="first")
        costed = cost_lines(lines, returns, frames.costs, commissions, frames.ad_spend, self._rules)
        stock = {sku: value for sku, value in frames.stock.iter_rows()}
        return ShopSales(
            shop=shop,
            lines=lines,
            costed=costed,
            costs=frames.costs,
            commissions=commissions,
            ad_spend=frames.ad_spend,
            stock=stock,
        )

    def summary(self, sales: ShopSales, period: Period, granularity: Granularity) -> pl.DataFrame:
        return summarize(sales.costed, *period, granularity, sales.ad_spend)

    def unit_economics(
        self, sales: ShopSales, as_of: date, target_margin: Decimal
    ) -> list[SkuEconomics]:
        with collector_paused():
            return per_sku(
                sales.costed, sales.costs, sales.commissions, self._rules,
                as_of=as_of, target_margin=target_margin,
            )  # fmt: skip

    def abc(self, sales: ShopSales, period: Period, by: AbcBy = "revenue") -> pl.DataFrame:
        return abc_analysis(
            sales.costed, *period, by, self._rules.abc_a_upto, self._rules.abc_b_upto
        )

    def xyz(self, sales: ShopSales, period: Period) -> pl.DataFrame:
        r = self._rules
        return xyz_analysis(sales.costed, *period, r.xyz_x_upto, r.xyz_y_upto)

    def matrix(self, sales: ShopSales, period: Period, by: AbcBy = "revenue") -> pl.DataFrame:
        r = self._rules
        return abc_xyz_matrix(
            sales.costed, *period, by, r.abc_a_upto, r.abc_b_upto, r.xyz_x_upto, r.xyz_y_upto
        )

    def products(self, sales: ShopSales, period: Period, before: Period | None) -> pl.DataFrame:
        return product_stats(sales.costed, before or previous_period(period), period)

    def tops(self, sales: ShopSales, period: Period, n: int = 10) -> dict[str, pl.DataFrame]:
        return tops(sales.costed, *period, n)

    def profit_change(
        self, sales: ShopSales, period: Period, before: Period | None
    ) -> ProfitChange:
        return explain_profit_change(sales.costed, before or previous_period(period), period)

    def zhuma(self, sales: ShopSales, as_of: date) -> ZhumaPlan:
        timing = juma_timing(as_of, self._calendar)
        sale = timing.current or timing.next
        if sale is None:
            return ZhumaPlan(None, None, None)
        with collector_paused():
            return self._zhuma_plan(sales, as_of, sale)

    def _zhuma_plan(self, sales: ShopSales, as_of: date, sale: JumaWindow) -> ZhumaPlan:
        plan = stock_plan(
            sales.lines,
            sales.stock,
            sale,
            as_of,
            default_uplift=self._rules.juma_demand_uplift,
            previous_sales=self._calendar,
            orders_per_packer_per_day=self._rules.orders_per_packer_per_day,
        )
        # The unit economics of the day before, less the prices nobody reads here; Жұма profit
        # unknown when a cost or Kaspi's Жұма rates are not set.
        usual, profits = profits_per_unit(
            sales.costed, sales.costs, sales.commissions, self._rules,
            as_of=as_of - timedelta(days=1),
        )  # fmt: skip
        losses = unprofitable_at_zhuma(plan, profits, usual_profit_per_unit=usual)
        return ZhumaPlan(sale, plan, losses)
