"""The sales reports of one shop: the store's frames, costed once, read by every report.

The costed sales of the most recently used shops are kept in memory while the shop's data
revision (raised by the store with every change) and time zone stay the same: a million lines
take seconds to read and cost, and no time to reuse (``docs/dashboard.md``, "Caching").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal, TypeVar, cast

import polars as pl

from saudager.core.errors import SaudagerError
from saudager.core.gcpause import collector_paused
from saudager.core.revcache import DEFAULT_CACHED_SHOPS, RevisionCache
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
from saudager.domains.analytics.records import CommissionRate
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.analytics.summary import Granularity, summarize
from saudager.domains.analytics.types import COMMISSION_SCHEMA
from saudager.domains.orders.ports import Store
from saudager.domains.quality.eligibility import JumaWindow, calendar_from_days, juma_timing
from saudager.domains.shops.types import Shop

_T = TypeVar("_T")
#: Reports and page views kept per cached shop (periods, days and options seen recently).
_DERIVED_PER_SHOP = 64

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


#: The payment modes a seller's commission rate may be for ("*": both).
COMMISSION_PAYMENT_MODES = ("*", "PREPAID", "PAY_WITH_CREDIT")


def commission_rate(
    category: str, percent: Decimal | str, payment_mode: str, effective_from: date, source: str
) -> CommissionRate:
    """A seller's commission rate from a percent (``12.5`` or ``"12,5"``); raises
    ``SaudagerError`` saying what was expected."""
    try:
        value = Decimal(percent.replace(",", ".").strip() if isinstance(percent, str) else percent)
    except InvalidOperation:
        raise SaudagerError(f"percent: expected a number such as 12.5, got {percent!r}") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise SaudagerError(f"percent: expected 0 to 100, got {percent}")
    if payment_mode not in COMMISSION_PAYMENT_MODES:
        raise SaudagerError("payment mode: expected " + ", ".join(COMMISSION_PAYMENT_MODES))
    if not category.strip():
        raise SaudagerError("category: give a Kaspi category title, or * for all others")
    rate_bp = int((value * 100).to_integral_value())
    shown_source = source.strip() or "set by the seller"
    return CommissionRate(category.strip(), payment_mode, effective_from, rate_bp, shown_source)


class AnalyticsService:
    def __init__(
        self,
        store: Store,
        rules: AnalyticsRules,
        zhuma_calendar: tuple[tuple[date, date], ...],
        *,
        cached_shops: int = DEFAULT_CACHED_SHOPS,
    ) -> None:
        self._store = store
        self._rules = rules
        self._calendar = calendar_from_days(zhuma_calendar)
        #: Costed sales by shop id, at (data revision, time zone).
        self.cache: RevisionCache[int, ShopSales] = RevisionCache(cached_shops)
        #: Reports and views computed from them, by (shop id, what and with which inputs).
        self.derived_cache: RevisionCache[tuple[int, Hashable], object] = RevisionCache(
            cached_shops * _DERIVED_PER_SHOP
        )

    def sales(self, shop: Shop) -> ShopSales:
        """The shop's sales, costed: kept from an earlier call while the shop's data revision
        and time zone are unchanged, read and costed anew otherwise (once, however many callers
        ask at the same time)."""
        with self._store.reading() as tx:
            revision = tx.data_revision(shop.id)
        sales = self.cache.get(shop.id, (revision, shop.timezone), lambda: self._load(shop))
        # The shop's other fields (its name, its token) do not change the sales.
        return sales if sales.shop == shop else dataclasses.replace(sales, shop=shop)

    def derived(self, shop: Shop, key: Hashable, build: Callable[[], _T]) -> _T:
        """A value computed from the shop's data (a report, a page's view), kept while the
        shop's data revision and time zone are unchanged; ``key`` names what and its inputs
        (period, day, options) and must change whenever the value would."""
        with self._store.reading() as tx:
            revision = tx.data_revision(shop.id)
        value = self.derived_cache.get((shop.id, key), (revision, shop.timezone), build)
        return cast(_T, value)

    def _load(self, shop: Shop) -> ShopSales:
        with self._store.reading() as tx:
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

    def commission_rates(self, shop: Shop) -> list[CommissionRate]:
        """The seller's own commission rates; they win over the shipped table."""
        with self._store.transaction() as tx:
            return tx.commission_rates(shop.id)

    def set_commission_rate(self, shop: Shop, rate: CommissionRate) -> None:
        """Add the seller's rate, or replace the one of the same category, mode and day."""
        with self._store.transaction() as tx:
            tx.set_commission_rate(shop.id, rate)

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
