"""What the overview shows, as plain frozen data (definitions: ``docs/dashboard.md``).

Every figure is one computed by its own module and carried here unchanged: the indicators,
their daily series, the deadline warnings and Жұма eligibility by the quality guard, revenue and
profit by the sales summary. The overview only chooses the days and compares the periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from saudager.domains.quality.eligibility import JumaEligibility
from saudager.domains.quality.records import Snapshot
from saudager.domains.quality.types import Indicator, IndicatorValue
from saudager.domains.quality.warnings import DeadlineWarning
from saudager.domains.shops.types import Shop

#: Local days in each indicator's trend, ending with the overview's day.
TREND_DAYS = 90
#: The sales periods compared, in local days ending yesterday.
SALES_PERIODS = (7, 30)


@dataclass(frozen=True, slots=True)
class IndicatorOverview:
    """One of the four sanctioned indicators on the overview's day, and its daily trend."""

    current: IndicatorValue  # value, numerator/denominator, status, marks: as the quality report
    #: One snapshot a local day, oldest first: the ``TREND_DAYS`` days ending with the overview's
    #: day, less the days before the shop's data begins.
    trend: tuple[Snapshot, ...]


@dataclass(frozen=True, slots=True)
class SalesFigures:
    """The sales summary of one period of whole local days (both ends included)."""

    first: date
    last: date
    revenue_tiyn: int  # net of cancellations and returns
    profit_tiyn: int  # over the lines whose every cost is known, less unattached advertising
    lines_missing_cost: int  # lines left out of the profit: some cost unknown
    revenue_missing_cost_tiyn: int  # their revenue


@dataclass(frozen=True, slots=True)
class Change:
    """How a figure moved from the previous period to the current one."""

    amount_tiyn: int  # current − previous
    #: (current − previous) / |previous|, rounded half-even to 4 places (0.1250 = +12.5 %);
    #: ``None`` when the previous period's figure is 0.
    ratio: Decimal | None


@dataclass(frozen=True, slots=True)
class SalesComparison:
    """The last ``days`` local days ending yesterday against the ``days`` days before them."""

    days: int
    current: SalesFigures
    previous: SalesFigures
    revenue: Change
    profit: Change


@dataclass(frozen=True, slots=True)
class Overview:
    """A shop at a glance on its local day ``as_of`` (see ``docs/dashboard.md``)."""

    shop: Shop
    as_of: date  # the shop's local day of the request
    revision: int  # the shop's data revision the figures were computed at
    #: The four sanctioned indicators, in ``quality.types.SANCTIONED`` order.
    indicators: dict[Indicator, IndicatorOverview]
    #: Deadline warnings (hand over to Kaspi Delivery, accept a new order) whose deadline falls
    #: before the end of ``as_of`` — late ones included — most urgent first.
    at_risk: tuple[DeadlineWarning, ...]
    at_risk_at: datetime  # aware UTC: the moment ``at_risk`` was computed for
    last_7_days: SalesComparison
    last_30_days: SalesComparison
    #: Days from ``as_of`` to the first day of the next Kaspi Жұма; 0 while one runs; ``None``
    #: when the calendar has none ahead.
    days_to_zhuma: int | None
    zhuma: JumaEligibility  # the quality guard's verdict and criteria on ``as_of``
