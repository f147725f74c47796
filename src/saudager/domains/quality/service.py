"""The quality guard's service: where the store, the clock-free engine and the notifiers meet.

Every figure is computed from the facts of the shop's stored orders, reviews and returns; the
daily history is recomputed from them (and stored, so that it can be shown and traced) whenever
a report is made, which also backfills it for a freshly synced or imported history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

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
from saudager.domains.quality.ports import Notifier, NotifyError, PartialDeliveryError
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

log = logging.getLogger(__name__)


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
    facts: pl.DataFrame
    series: pl.DataFrame
    sanctions: SanctionState
    indicators: dict[Indicator, IndicatorValue]


class QualityService:
    def __init__(self, store: Store, rules: GuardRules) -> None:
        self._store = store
        self._rules = rules

    # ---- reading ---------------------------------------------------------------------------

    def _facts(self, shop: Shop) -> pl.DataFrame:
        with self._store.transaction() as tx:
            orders, reviews, returns = tx.quality_frames(shop.id)
        return facts_from_frames(orders, reviews, returns, self._rules.quality)

    def _active_orders(self, shop: Shop) -> list[Order]:
        with self._store.transaction() as tx:
            return [
                order
                for code in tx.active_order_codes(shop.id)
                if (order := tx.get_order(shop.id, code)) is not None
                and order.state in ACTIVE_STATES
            ]

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
        return _Computed(facts, series, sanctions, values)

    def _store_history(self, shop: Shop, series: pl.DataFrame) -> None:
        with self._store.transaction() as tx:
            tx.save_quality_snapshots(shop.id, snapshots_of(series))

    def report(self, shop: Shop, as_of: date) -> QualityReport:
        facts = self._facts(shop)
        computed = self._compute(shop, facts, as_of)
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
        facts = self._facts(shop)
        computed = self._compute(shop, facts, as_of)
        return Explanation(
            value=computed.indicators[indicator],
            facts=drilldown(facts, indicator, as_of, shop.timezone, self._rules.quality),
        )

    def outlook(self, shop: Shop, as_of: date, days: int = 30) -> dict[Indicator, IndicatorOutlook]:
        facts = self._facts(shop)
        computed = self._compute(shop, facts, as_of)
        return outlook(
            facts, as_of, shop.timezone, self._rules.quality, days,
            violations_so_far=computed.sanctions.violations_so_far,
        )  # fmt: skip

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
        facts = self._facts(shop)
        today = local_day(now, shop.timezone)
        computed = self._compute(shop, facts, today)
        ahead = outlook(
            facts, today, shop.timezone, self._rules.quality,
            violations_so_far=computed.sanctions.violations_so_far,
        )  # fmt: skip
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
            try:
                notifier.send(alert)
            except PartialDeliveryError as exc:
                log.warning("alert %s reached only some channels: %s", alert.key, exc)
            except NotifyError as exc:
                log.error("alert %s was not delivered, will retry: %s", alert.key, exc)
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
