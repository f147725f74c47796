"""The overview of one shop, built from the quality guard and the sales reports, and kept.

The overview of a shop's local day is computed once per data revision (the store raises it with
every change) and kept for the shop's next requests; the orders at risk, which move with the
clock, are recomputed at most once per ``CacheRules.at_risk_seconds`` (``docs/dashboard.md``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from saudager.core.revcache import CacheRules, RevisionCache
from saudager.core.timewindows import local_day
from saudager.domains.analytics.service import AnalyticsService, ShopSales, previous_period
from saudager.domains.dashboard.logic import change, days_to_zhuma, due_today, sales_period
from saudager.domains.dashboard.types import (
    SALES_PERIODS,
    TREND_DAYS,
    IndicatorOverview,
    Overview,
    SalesComparison,
    SalesFigures,
)
from saudager.domains.orders.ports import Store
from saudager.domains.quality.eligibility import JumaEligibility
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.service import QualityService
from saudager.domains.quality.types import SANCTIONED, Indicator
from saudager.domains.quality.warnings import DeadlineWarning
from saudager.domains.shops.types import Shop

Clock = Callable[[], datetime]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Day:
    """Everything of the overview that holds for the whole local day at one revision."""

    revision: int
    indicators: dict[Indicator, IndicatorOverview]
    last_7_days: SalesComparison
    last_30_days: SalesComparison
    days_to_zhuma: int | None
    zhuma: JumaEligibility


@dataclass(frozen=True, slots=True)
class _AtRisk:
    at: datetime
    warnings: tuple[DeadlineWarning, ...]


class DashboardService:
    def __init__(
        self,
        store: Store,
        quality: QualityService,
        analytics: AnalyticsService,
        *,
        clock: Clock,
        rules: CacheRules | None = None,
    ) -> None:
        self._store = store
        self._quality = quality
        self._analytics = analytics
        self._clock = clock
        self._rules = rules or CacheRules()
        #: The day's part of the overview by shop id, at (revision, time zone, local day).
        self.day_cache: RevisionCache[int, _Day] = RevisionCache(self._rules.shops)
        #: The orders at risk by shop id, at (time zone, local day, span of the clock).
        self.at_risk_cache: RevisionCache[int, _AtRisk] = RevisionCache(self._rules.shops)

    def overview(self, shop: Shop, now: datetime | None = None) -> Overview:
        """The shop on its local day of ``now`` (aware; default: the clock's)."""
        moment = self._clock() if now is None else now
        if moment.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        moment = moment.astimezone(UTC)
        today = local_day(moment, shop.timezone)
        with self._store.reading() as tx:
            revision = tx.data_revision(shop.id)
        day = self.day_cache.get(
            shop.id, (revision, shop.timezone, today), lambda: self._day(shop, today, revision)
        )
        span = int((moment - _EPOCH).total_seconds()) // self._rules.at_risk_seconds
        # Not keyed on the revision: at most one computation per span, even while a sync writes.
        risk = self.at_risk_cache.get(
            shop.id, (shop.timezone, today, span), lambda: self._at_risk(shop, moment, today)
        )
        return Overview(
            shop=shop,
            as_of=today,
            revision=day.revision,
            indicators=day.indicators,
            at_risk=risk.warnings,
            at_risk_at=risk.at,
            last_7_days=day.last_7_days,
            last_30_days=day.last_30_days,
            days_to_zhuma=day.days_to_zhuma,
            zhuma=day.zhuma,
        )

    def _day(self, shop: Shop, today: date, revision: int) -> _Day:
        report = self._quality.report(shop, today)
        trends: dict[str, list[Snapshot]] = defaultdict(list)
        for snapshot in self._quality.recent_history(shop, today, TREND_DAYS):
            trends[snapshot.indicator].append(snapshot)
        indicators = {
            indicator: IndicatorOverview(report.indicators[indicator], tuple(trends[indicator]))
            for indicator in SANCTIONED
        }
        sales = self._analytics.sales(shop)
        week, month = (self._compare(sales, today, days) for days in SALES_PERIODS)
        return _Day(
            revision=revision,
            indicators=indicators,
            last_7_days=week,
            last_30_days=month,
            days_to_zhuma=days_to_zhuma(report.zhuma.timing),
            zhuma=report.zhuma,
        )

    def _compare(self, sales: ShopSales, today: date, days: int) -> SalesComparison:
        period = sales_period(today, days)
        current = self._figures(sales, period)
        previous = self._figures(sales, previous_period(period))
        return SalesComparison(
            days=days,
            current=current,
            previous=previous,
            revenue=change(current.revenue_tiyn, previous.revenue_tiyn),
            profit=change(current.profit_tiyn, previous.profit_tiyn),
        )

    def _figures(self, sales: ShopSales, period: tuple[date, date]) -> SalesFigures:
        row = self._analytics.summary(sales, period, None).row(0, named=True)
        return SalesFigures(
            first=period[0],
            last=period[1],
            revenue_tiyn=row["revenue_tiyn"],
            profit_tiyn=row["profit_tiyn"],
            lines_missing_cost=row["lines_missing_cost"],
            revenue_missing_cost_tiyn=row["revenue_missing_cost_tiyn"],
        )

    def _at_risk(self, shop: Shop, now: datetime, today: date) -> _AtRisk:
        warnings = self._quality.warnings(shop, now)
        return _AtRisk(now, due_today(warnings, today, shop.timezone))
