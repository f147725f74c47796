"""The quality guard's service: where the store, the clock-free engine and the notifiers meet.

Every figure is computed from the facts of the shop's stored orders, reviews and returns; the
daily history is recomputed from them (and stored, so that it can be shown and traced) whenever
a day's report is first made on the shop's current data, which also backfills it for a freshly
synced or imported history.

The facts of the most recently used shops, and what is computed from them for a day (today's
indicators, the daily series, the sanctions, the outlook), are kept in memory while the shop's
data revision (raised by the store with every change) and time zone stay the same
(``docs/dashboard.md``, "Caching"). The deadline warnings, which depend on the moment, are
computed on every call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from saudager.core.revcache import DEFAULT_CACHED_SHOPS, RevisionCache
from saudager.core.timewindows import local_day
from saudager.domains.orders.ports import Store
from saudager.domains.orders.types import ACTIVE_STATES, Order
from saudager.domains.quality.alerts import (
    Alert,
    AlertRules,
    HandoverRisk,
    Language,
    build_alerts,
    new_alerts,
    statuses_by_day,
)
from saudager.domains.quality.eligibility import (
    JumaEligibility,
    SellerStatement,
    calendar_from_days,
    juma_eligibility,
)
from saudager.domains.quality.facts import facts_from_frames
from saudager.domains.quality.history import daily_series
from saudager.domains.quality.indicators import compute_indicators, drilldown
from saudager.domains.quality.outlook import IndicatorOutlook, outlook, projected_breaches
from saudager.domains.quality.ports import Notifier, deliver
from saudager.domains.quality.records import SentAlert, Snapshot
from saudager.domains.quality.sanctions import SanctionRules, SanctionState, sanction_state
from saudager.domains.quality.types import Fact, Indicator, IndicatorValue, QualityRules
from saudager.domains.quality.warnings import (
    DeadlineWarning,
    WarningKind,
    WarningRules,
    early_warnings,
)
from saudager.domains.shops.types import Shop


@dataclass(frozen=True, slots=True)
class GuardRules:
    """Everything the guard is configured with (built from settings by the wiring)."""

    quality: QualityRules
    sanctions: SanctionRules
    warnings: WarningRules
    alerts: AlertRules
    language: Language
    zhuma_calendar: tuple[tuple[date, date], ...]
    credit_payments_since: date | None = None


@dataclass(frozen=True, slots=True)
class QualityReport:
    shop: Shop
    as_of: date
    indicators: dict[Indicator, IndicatorValue]
    sanctions: SanctionState
    zhuma: JumaEligibility

    @property
    def violations_so_far(self) -> int:
        return self.sanctions.violations_so_far


@dataclass(frozen=True, slots=True)
class Explanation:
    value: IndicatorValue
    facts: list[Fact]


@dataclass(frozen=True, slots=True)
class _Computed:
    """What one day's figures are made of (without the facts: those are kept by shop)."""

    series: pl.DataFrame
    sanctions: SanctionState
    indicators: dict[Indicator, IndicatorValue]


#: A shop's data at one revision in one time zone: what cached values are built at.
_Version = tuple[int, str]
#: Days whose computed figures are kept per shop (today, and a few asked for explicitly).
_DAYS_PER_SHOP = 4


class QualityService:
    def __init__(
        self, store: Store, rules: GuardRules, *, cached_shops: int = DEFAULT_CACHED_SHOPS
    ) -> None:
        self._store = store
        self._rules = rules
        #: The facts frame by shop id.
        self.facts_cache: RevisionCache[int, pl.DataFrame] = RevisionCache(cached_shops)
        #: The day's figures by (shop id, as-of day), and the outlook by (shop, day, days).
        self.computed_cache: RevisionCache[tuple[int, date], _Computed] = RevisionCache(
            cached_shops * _DAYS_PER_SHOP
        )
        #: The facts behind an indicator, by (shop, indicator, day).
        self.explain_cache: RevisionCache[tuple[int, Indicator, date], Explanation] = RevisionCache(
            cached_shops * _DAYS_PER_SHOP
        )
        self.outlook_cache: RevisionCache[
            tuple[int, date, int], dict[Indicator, IndicatorOutlook]
        ] = RevisionCache(cached_shops * _DAYS_PER_SHOP)

    # ---- reading ---------------------------------------------------------------------------

    def _version(self, shop: Shop) -> _Version:
        with self._store.reading() as tx:
            return tx.data_revision(shop.id), shop.timezone

    def _facts(self, shop: Shop, version: _Version) -> pl.DataFrame:
        return self.facts_cache.get(shop.id, version, lambda: self._load_facts(shop))

    def _load_facts(self, shop: Shop) -> pl.DataFrame:
        with self._store.reading() as tx:
            orders, reviews, returns = tx.quality_frames(shop.id)
        return facts_from_frames(orders, reviews, returns, self._rules.quality)

    def _computed(self, shop: Shop, as_of: date, version: _Version) -> _Computed:
        """The day's figures; computing them anew also stores the daily history."""
        return self.computed_cache.get(
            (shop.id, as_of),
            version,
            lambda: self._compute(shop, self._facts(shop, version), as_of),
        )

    def _outlook(
        self, shop: Shop, as_of: date, days: int, version: _Version
    ) -> dict[Indicator, IndicatorOutlook]:
        def build() -> dict[Indicator, IndicatorOutlook]:
            computed = self._computed(shop, as_of, version)
            return outlook(
                self._facts(shop, version), as_of, shop.timezone, self._rules.quality, days,
                violations_so_far=computed.sanctions.violations_so_far,
            )  # fmt: skip

        return self.outlook_cache.get((shop.id, as_of, days), version, build)

    def _active_orders(self, shop: Shop) -> list[Order]:
        with self._store.reading() as tx:
            return [order for order in tx.active_orders(shop.id) if order.state in ACTIVE_STATES]

    def _compute(self, shop: Shop, facts: pl.DataFrame, as_of: date) -> _Computed:
        rules = self._rules.quality
        first = _first_day(facts, shop.timezone, as_of)
        # The series starts a day early so that a breach already running on the first day is
        # told apart from one starting on it (see history.violations).
        series = daily_series(facts, first - timedelta(days=1), as_of, shop.timezone, rules)
        before = series.filter(pl.col("day") < as_of)
        state = sanction_state(before, as_of, self._rules.sanctions) if before.height else None
        count = state.violations_so_far if state is not None else 0
        values = compute_indicators(facts, as_of, shop.timezone, rules, count)
        if count:
            series = daily_series(
                facts, first - timedelta(days=1), as_of, shop.timezone, rules,
                violations_so_far=count,
            )  # fmt: skip
        sanctions = sanction_state(series, as_of, self._rules.sanctions)
        self._store_history(shop, series)
        return _Computed(series, sanctions, values)

    def _store_history(self, shop: Shop, series: pl.DataFrame) -> None:
        with self._store.transaction() as tx:
            tx.save_quality_snapshots(shop.id, snapshots_of(series))

    def report(self, shop: Shop, as_of: date) -> QualityReport:
        computed = self._computed(shop, as_of, self._version(shop))
        return QualityReport(
            shop=shop,
            as_of=as_of,
            indicators=computed.indicators,
            sanctions=computed.sanctions,
            zhuma=self._zhuma(computed.indicators, as_of),
        )

    def _zhuma(self, values: dict[Indicator, IndicatorValue], as_of: date) -> JumaEligibility:
        statement = SellerStatement(credit_payments_since=self._rules.credit_payments_since)
        return juma_eligibility(
            values,
            as_of,
            self._rules.quality,
            statement,
            calendar_from_days(self._rules.zhuma_calendar),
        )

    def explain(self, shop: Shop, indicator: Indicator, as_of: date) -> Explanation:
        version = self._version(shop)

        def build() -> Explanation:
            computed = self._computed(shop, as_of, version)
            facts = self._facts(shop, version)
            return Explanation(
                value=computed.indicators[indicator],
                facts=drilldown(facts, indicator, as_of, shop.timezone, self._rules.quality),
            )

        return self.explain_cache.get((shop.id, indicator, as_of), version, build)

    def outlook(self, shop: Shop, as_of: date, days: int = 30) -> dict[Indicator, IndicatorOutlook]:
        return self._outlook(shop, as_of, days, self._version(shop))

    def recent_history(self, shop: Shop, as_of: date, days: int = 90) -> list[Snapshot]:
        """Every indicator on each of the ``days`` local days ending with ``as_of``, oldest
        first: the daily series the report for ``as_of`` computed (and stored), not a re-read
        of the stored history. Days before the shop's data begins (more than a day before its
        first order, review or return) are not in it."""
        if days < 1:
            raise ValueError("the history covers at least one day")
        computed = self._computed(shop, as_of, self._version(shop))
        first = as_of - timedelta(days=days - 1)
        return list(snapshots_of(computed.series.filter(pl.col("day") >= first)))

    def history(self, shop: Shop, first: date | None, last: date | None) -> list[Snapshot]:
        with self._store.transaction() as tx:
            return tx.quality_snapshots(shop.id, first, last)

    def warnings(self, shop: Shop, now: datetime) -> list[DeadlineWarning]:
        orders = self._active_orders(shop)
        return early_warnings(orders, now, shop.timezone, self._rules.warnings)

    # ---- alerts ----------------------------------------------------------------------------

    def check_alerts(self, shop: Shop, now: datetime, notifier: Notifier) -> list[Alert]:
        """Send every alert the shop's state calls for that was not sent before; returns them.

        An alert is recorded once delivered (or delivered on some channels); one that no
        channel took is not, so the next check tries it again.
        """
        version = self._version(shop)
        today = local_day(now, shop.timezone)
        computed = self._computed(shop, today, version)
        ahead = self._outlook(shop, today, 30, version)
        risks = [
            HandoverRisk(w.order_code, w.deadline, w.minutes_left)
            for w in self.warnings(shop, now)
            if w.kind == WarningKind.HANDOVER
        ]
        candidates = build_alerts(
            shop.id,
            list(computed.indicators.values()),
            projected_breaches(ahead),
            risks,
            as_of=now,
            history=statuses_by_day(computed.series),
            rules=self._rules.alerts,
            language=self._rules.language,
            shop_name=shop.name,
            timezone=shop.timezone,
        )
        with self._store.transaction() as tx:
            sent_before = tx.sent_alert_keys(shop.id)
        sent: list[Alert] = []
        for alert in new_alerts(candidates, sent_before):
            if not deliver(notifier, alert):
                continue
            with self._store.transaction() as tx:
                tx.record_alert(
                    shop.id,
                    SentAlert(key=alert.key, kind=str(alert.kind), text=alert.text, sent_at=now),
                )
            sent.append(alert)
        return sent


def _first_day(facts: pl.DataFrame, tz: str, as_of: date) -> date:
    if facts.height == 0:
        return as_of
    first = facts["at"].min()
    assert isinstance(first, datetime)
    return min(local_day(first, tz), as_of)


def snapshots_of(series: pl.DataFrame) -> Sequence[Snapshot]:
    return [
        Snapshot(
            day=row["day"],
            indicator=row["indicator"],
            numerator=int(row["numerator"]),
            denominator=int(row["denominator"]),
            value=row["value"],
            status=row["status"],
        )
        for row in series.iter_rows(named=True)
    ]
