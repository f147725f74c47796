"""The outbox dispatcher as a job: every minute, settle stale claims, then send what is due.

``dispatch_pass`` is one pass (the job's body, and what tests and the CLI call);
``register_dispatch`` puts the periodic job on the queue that ``saudager worker`` consumes.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from huey import Huey, crontab

from saudager.domains.messaging.caps import CapRules
from saudager.domains.messaging.outbox import RetryPolicy
from saudager.domains.messaging.ports import OutboxStore, ProviderLookup
from saudager.domains.messaging.service import Clock, Gate, OutboxService
from saudager.settings import Settings
from saudager.wiring import Services, build_services

log = logging.getLogger(__name__)

#: A claim older than this is settled as ``unknown``. Far longer than a provider call may take
#: (the HTTP clients time out within a minute), so a live dispatcher's claim is never taken.
CLAIM_TIMEOUT = timedelta(minutes=10)


def utc_now() -> datetime:
    return datetime.now(UTC)


def dispatch_pass(
    store: OutboxStore,
    providers: ProviderLookup,
    *,
    clock: Clock = utc_now,
    claim_timeout: timedelta = CLAIM_TIMEOUT,
    policy: RetryPolicy | None = None,
    limit: int | None = None,
    gate: Gate | None = None,
) -> dict[str, Any]:
    """Reconcile claims older than ``claim_timeout``, then send every due message (each
    through ``gate`` first, when given: consent, the send window, the caps)."""
    service = OutboxService(store, clock, policy=policy, gate=gate)
    reconciled = service.reconcile(claim_timeout)
    report = service.dispatch(providers, limit=limit)
    return {**asdict(report), "marked_unknown": reconciled.marked_unknown}


def gate_of(services: Services) -> Gate:
    """The gate of the settings: each shop's window (its own, else ``messaging.window_*``) in
    its zone, its kill switch, the caps."""
    m = services.settings.messaging
    caps = CapRules(
        per_order=m.per_order, min_gap=timedelta(minutes=m.min_gap_minutes),
        daily_tier=m.daily_tier,
    )  # fmt: skip
    return Gate(services.store, services.messaging_defaults, caps)


def dispatch_messages_now(
    settings: Settings, providers: ProviderLookup | None = None, *, clock: Clock = utc_now
) -> dict[str, Any]:
    """One pass over the configured database, sending through the configured provider
    (``Services.messaging_provider``; the console unless the Cloud API is configured), each
    message through the gate of the settings; then the messaging alerts not sent yet (a
    complaint whose alert was lost, a number the pass stopped)."""
    services = build_services(settings)
    try:
        result = dispatch_pass(
            services.store, providers or services.messaging_provider, clock=clock,
            gate=gate_of(services),
        )  # fmt: skip
        alerted = services.messaging_alerts.send_pending()
        return {**result, "alerts_sent": len(alerted)}
    finally:
        services.close()


def register_dispatch(huey: Huey, settings: Settings) -> Any:
    """The periodic dispatch job on ``huey``; returns its task wrapper."""

    @huey.periodic_task(crontab(minute="*"), name="dispatch_messages")  # type: ignore[untyped-decorator]
    def dispatch_messages() -> dict[str, Any]:
        result = dispatch_messages_now(settings)
        if result.get("claimed") or result.get("marked_unknown"):
            log.info("dispatch: %s", result)
        return result

    return dispatch_messages
