"""The overview of the small shop (``tests/small_shop.py``), worked out by hand, through the real
store on SQLite; then its caching: kept per revision and local day, at-risk orders per minute."""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.cli.report import period as report_period
from saudager.core.revcache import CacheRules
from saudager.domains.analytics.service import AnalyticsService
from saudager.domains.catalog.types import ProductCost
from saudager.domains.dashboard.logic import change, days_to_zhuma, sales_period
from saudager.domains.dashboard.service import DashboardService
from saudager.domains.dashboard.types import Change, Overview, SalesFigures
from saudager.domains.dashboard.views import overview_json
from saudager.domains.quality import views as quality_views
from saudager.domains.quality.eligibility import JumaTiming, JumaWindow, Verdict
from saudager.domains.quality.service import QualityService
from saudager.domains.quality.types import SANCTIONED, Indicator, Status
from saudager.domains.quality.warnings import WarningKind
from saudager.domains.shops.types import Shop
from small_shop import (
    ANALYTICS_RULES,
    NOW,
    TODAY,
    add_small_shop,
    guard_rules,
    local,
    sold,
)


@pytest.fixture
def store(sqlite_engine: Engine) -> SqlStore:
    return SqlStore(sqlite_engine)


@pytest.fixture
def shop(store: SqlStore) -> Shop:
    return add_small_shop(store)


def _dashboard(
    store: SqlStore, calendar: tuple[tuple[date, date], ...] | None = None
) -> DashboardService:
    rules = guard_rules() if calendar is None else guard_rules(calendar)
    quality = QualityService(store, rules)
    analytics = AnalyticsService(store, ANALYTICS_RULES, rules.zhuma_calendar)
    return DashboardService(store, quality, analytics, clock=lambda: NOW, rules=CacheRules())


def _figures(first: date, last: date, units: int) -> SalesFigures:
    """``units`` kept units at 1,000 ₸, each earning 260 ₸; every cost known."""
    return SalesFigures(first, last, units * 100_000, units * 26_000, 0, 0)


# ---- the figures, by hand -------------------------------------------------------------------


def test_sales_of_the_last_7_and_30_days_against_the_periods_before(
    store: SqlStore, shop: Shop
) -> None:
    overview = _dashboard(store).overview(shop)
    week, month = overview.last_7_days, overview.last_30_days
    assert (week.days, month.days) == (7, 30)
    assert week.current == _figures(date(2025, 8, 25), date(2025, 8, 31), 6)
    assert week.previous == _figures(date(2025, 8, 18), date(2025, 8, 24), 24)
    assert month.current == _figures(date(2025, 8, 2), date(2025, 8, 31), 126)
    assert month.previous == _figures(date(2025, 7, 3), date(2025, 8, 1), 384)
    assert week.revenue == Change(-1_800_000, Decimal("-0.7500"))
    assert week.profit == Change(-468_000, Decimal("-0.7500"))
    # 126 / 384 − 1 = −0.671875: half-even to 4 places.
    assert month.revenue == Change(-25_800_000, Decimal("-0.6719"))
    assert month.profit == Change(-6_708_000, Decimal("-0.6719"))
    # The same 30 days as `saudager report summary` shows by default.
    assert (month.current.first, month.current.last) == report_period(None, None, TODAY)


def test_the_four_indicators_are_the_quality_reports_with_90_days_of_trend(
    store: SqlStore, shop: Shop
) -> None:
    service = _dashboard(store)
    overview = service.overview(shop)
    assert overview.as_of == TODAY
    assert list(overview.indicators) == list(SANCTIONED)
    report = QualityService(store, guard_rules()).report(shop, TODAY)
    for indicator, item in overview.indicators.items():
        assert item.current == report.indicators[indicator]
    current = {ind: item.current for ind, item in overview.indicators.items()}
    got = {ind: (v.numerator, v.denominator, v.value, v.status) for ind, v in current.items()}
    assert got == {
        Indicator.SELLER_CANCELLATIONS: (1, 10, Decimal("10.00"), Status.CRITICAL),
        Indicator.QUALITY_RETURNS: (1, 6, Decimal("16.67"), Status.CRITICAL),
        Indicator.LATE_HANDOVERS: (0, 0, None, Status.OK),
        Indicator.RATING: (14, 3, Decimal("4.67"), Status.OK),
    }
    # The trend: from 1 July (the day before the first order) to today, one point a day, its
    # last point today's figure; on 31 August only 8 orders in 30 days: not enough data.
    cancellations = overview.indicators[Indicator.SELLER_CANCELLATIONS].trend
    days = [point.day for point in cancellations]
    assert days == [date(2025, 7, 1) + timedelta(days=n) for n in range(63)]
    last = cancellations[-1]
    assert (last.numerator, last.denominator, last.value, last.status) == (
        1, 10, Decimal("10.00"), "critical",
    )  # fmt: skip
    day_before = cancellations[-2]
    assert (day_before.numerator, day_before.denominator, day_before.status) == (
        1, 8, "not_enough_data",
    )  # fmt: skip
    # The same as the stored history.
    stored = QualityService(store, guard_rules()).history(shop, date(2025, 7, 1), TODAY)
    assert [s for s in stored if s.indicator == "seller_cancellations"] == list(cancellations)


def test_a_trend_is_at_most_90_days(store: SqlStore, shop: Shop) -> None:
    later = NOW + timedelta(days=60)
    overview = _dashboard(store).overview(shop, later)
    trend = overview.indicators[Indicator.RATING].trend
    assert len(trend) == 90
    assert (trend[0].day, trend[-1].day) == (TODAY + timedelta(days=60 - 89), overview.as_of)


def test_orders_at_risk_are_those_due_before_the_end_of_today(store: SqlStore, shop: Shop) -> None:
    overview = _dashboard(store).overview(shop)
    # B3 is late (due 08:00), B1 due at 16:00; B2, due tomorrow 09:00, is not today's.
    assert [(w.order_code, w.kind, w.minutes_left) for w in overview.at_risk] == [
        ("B3", WarningKind.HANDOVER, -120),
        ("B1", WarningKind.HANDOVER, 360),
    ]
    assert overview.at_risk_at == NOW
    # At 23:59 the deadline of 09:00 tomorrow is still tomorrow's.
    late_evening = local(2025, 9, 1, 23, 59)
    codes = [w.order_code for w in _dashboard(store).overview(shop, late_evening).at_risk]
    assert codes == ["B3", "B1"]
    # Once tomorrow comes, it is due today.
    codes = [w.order_code for w in _dashboard(store).overview(shop, local(2025, 9, 2)).at_risk]
    assert codes == ["B3", "B1", "B2"]


def test_days_to_zhuma_and_eligibility(store: SqlStore, shop: Shop) -> None:
    overview = _dashboard(store).overview(shop)
    assert overview.days_to_zhuma == (date(2026, 2, 12) - TODAY).days == 164
    assert overview.zhuma.verdict is Verdict.NOT_ELIGIBLE  # two indicators past their marks
    running = ((date(2025, 8, 30), date(2025, 9, 1)), (date(2025, 11, 1), date(2025, 11, 3)))
    assert _dashboard(store, running).overview(shop).days_to_zhuma == 0
    over = ((date(2025, 8, 28), date(2025, 8, 31)),)
    assert _dashboard(store, over).overview(shop).days_to_zhuma is None
    tomorrow = ((date(2025, 9, 2), date(2025, 9, 4)),)
    assert _dashboard(store, tomorrow).overview(shop).days_to_zhuma == 1


def test_the_json_shape(store: SqlStore, shop: Shop) -> None:
    overview = _dashboard(store).overview(shop)
    data = overview_json(overview)
    assert data["as_of"] == "2025-09-01"
    for indicator, item in overview.indicators.items():
        # The stored history's own JSON, less the indicator's name.
        rows = quality_views.history_json(list(item.trend))
        expected = [{k: v for k, v in row.items() if k != "indicator"} for row in rows]
        assert data["indicators"][str(indicator)]["trend"] == expected
    assert set(data["indicators"]) == {str(i) for i in SANCTIONED}
    cancellations = data["indicators"]["seller_cancellations"]
    assert (cancellations["value"], cancellations["status"]) == ("10.00", "critical")
    assert cancellations["trend"][-1] == {
        "day": "2025-09-01", "numerator": 1, "denominator": 10, "value": "10.00",
        "status": "critical",
    }  # fmt: skip
    week = data["sales"]["last_7_days"]
    assert week["current"] == {
        "from": "2025-08-25", "to": "2025-08-31", "revenue": "6000.00", "profit": "1560.00",
        "lines_missing_cost": 0, "revenue_missing_cost": "0.00",
    }  # fmt: skip
    assert week["revenue_change"] == {"amount": "-18000.00", "ratio": "-0.7500"}
    assert [w["order_code"] for w in data["at_risk"]] == ["B3", "B1"]
    assert data["days_to_zhuma"] == 164
    assert data["zhuma"]["verdict"] == "not_eligible"


# ---- the rules as functions ----------------------------------------------------------------


def test_periods_end_yesterday() -> None:
    assert sales_period(date(2025, 3, 1), 7) == (date(2025, 2, 22), date(2025, 2, 28))
    assert sales_period(date(2025, 3, 1), 1) == (date(2025, 2, 28), date(2025, 2, 28))
    with pytest.raises(ValueError, match="at least one day"):
        sales_period(date(2025, 3, 1), 0)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (150, 100, Change(50, Decimal("0.5000"))),
        (100, 0, Change(100, None)),
        (0, 0, Change(0, None)),
        (50, -100, Change(150, Decimal("1.5000"))),  # a loss halved and turned to a profit
        (-300, -100, Change(-200, Decimal("-2.0000"))),
        (2, 3, Change(-1, Decimal("-0.3333"))),
        (1, 80_000, Change(-79_999, Decimal("-1.0000"))),
    ],
)
def test_change(current: int, previous: int, expected: Change) -> None:
    assert change(current, previous) == expected


def test_days_to_zhuma_from_the_timing() -> None:
    sale = JumaWindow(date(2026, 2, 12), date(2026, 2, 15))
    assert days_to_zhuma(JumaTiming(date(2026, 2, 10), None, sale, 2, None)) == 2
    assert days_to_zhuma(JumaTiming(date(2026, 2, 15), sale, None, None, 0)) == 0
    assert days_to_zhuma(JumaTiming(date(2026, 3, 1), None, None, None, None)) is None


# ---- caching -------------------------------------------------------------------------------


def _fresh(store: SqlStore, shop: Shop, now: datetime) -> Overview:
    return _dashboard(store).overview(shop, now)


def test_kept_per_revision_and_day_and_at_risk_per_minute(store: SqlStore, shop: Shop) -> None:
    service = _dashboard(store)
    first = service.overview(shop)
    again = service.overview(shop, NOW + timedelta(seconds=59))
    assert again == first  # the at-risk orders too: computed at most once a minute
    assert (service.day_cache.builds, service.at_risk_cache.builds) == (1, 1)
    next_minute = service.overview(shop, NOW + timedelta(seconds=60))
    assert (service.day_cache.builds, service.at_risk_cache.builds) == (1, 2)
    assert next_minute.at_risk_at == NOW + timedelta(seconds=60)
    assert [w.minutes_left for w in next_minute.at_risk] == [-121, 359]
    assert next_minute == _fresh(store, shop, NOW + timedelta(seconds=60))
    # The next local day is a new overview.
    tomorrow = NOW + timedelta(days=1)
    assert service.overview(shop, tomorrow) == _fresh(store, shop, tomorrow)
    assert service.day_cache.builds == 2


def test_a_new_order_or_cost_is_seen_by_the_next_call(store: SqlStore, shop: Shop) -> None:
    service = _dashboard(store)
    before = service.overview(shop)
    with store.transaction() as tx:
        # Yesterday, 10 units: both periods ending yesterday grow by 10,000 ₸ and 2,600 ₸.
        tx.upsert_orders(shop.id, [sold("N", local(2025, 8, 31, 9, 0), 10)])
    after = service.overview(shop)
    assert after.revision == before.revision + 1
    for old, new in ((before.last_7_days, after.last_7_days),
                     (before.last_30_days, after.last_30_days)):  # fmt: skip
        assert new.current.revenue_tiyn == old.current.revenue_tiyn + 1_000_000
        assert new.current.profit_tiyn == old.current.profit_tiyn + 260_000
        assert new.previous == old.previous
    cancellations = after.indicators[Indicator.SELLER_CANCELLATIONS].current
    assert (cancellations.numerator, cancellations.denominator) == (1, 11)
    assert after == _fresh(store, shop, NOW)
    with store.transaction() as tx:
        # From 25 August a unit costs 700 ₸: the last 7 days' 16 units earn 100 ₸ less each.
        tx.add_product_costs(shop.id, [ProductCost("SKU-1", date(2025, 8, 25), Decimal("700"))])
    costed = service.overview(shop)
    assert costed.last_7_days.current.profit_tiyn == after.last_7_days.current.profit_tiyn - (
        16 * 10_000
    )
    assert costed == _fresh(store, shop, NOW)
    assert service.day_cache.builds == 3


def test_callers_arriving_together_build_once(store: SqlStore, shop: Shop) -> None:
    service = _dashboard(store)
    start = threading.Barrier(20)

    def ask(_: int) -> Overview:
        start.wait(5)
        return service.overview(shop)

    with ThreadPoolExecutor(max_workers=20) as pool:
        overviews = list(pool.map(ask, range(20)))
    assert all(overview == overviews[0] for overview in overviews)
    assert (service.day_cache.builds, service.at_risk_cache.builds) == (1, 1)
    quality, analytics = service._quality, service._analytics
    assert (quality.facts_cache.builds, quality.computed_cache.builds) == (1, 1)
    assert analytics.cache.builds == 1


def test_a_renamed_shop_keeps_its_figures(store: SqlStore, shop: Shop) -> None:
    service = _dashboard(store)
    first = service.overview(shop)
    renamed = service.overview(dataclasses.replace(shop, name="renamed"))
    assert renamed.shop.name == "renamed"
    assert dataclasses.replace(renamed, shop=shop) == first
    assert service.day_cache.builds == 1
