"""Where the outbox meets IO: enqueue, dispatch exactly once, reconcile, record status webhooks.

Dispatch in three steps, each its own transaction or call:

1. claim: a due message is marked ``claimed`` with a fresh token (one more attempt) and that is
   committed *before* the provider is called;
2. the gate (``gate.py``), when the service has one: a message the buyer opted out of is
   cancelled, one outside the shop's send window or over a cap is put back until it may go —
   neither calls the provider, so neither counts as an attempt; then the provider call,
   through :class:`MessagingProvider` only;
3. the outcome is recorded against that token: ``sent`` with the provider's id, back to
   ``queued`` with backoff, ``failed`` with the reason (and the number stopped on a block), or
   ``unknown`` when no answer came.

A dispatcher killed after 1 leaves the message ``claimed``: it is never claimed again.
:meth:`OutboxService.reconcile` settles such a message later — a status webhook carrying its
callback data turns it ``sent``; with none by the timeout it becomes ``unknown`` for the seller
to see. No duplicate first, then no silent loss: every message ends in a visible state.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from saudager.core.masking import mask_phone
from saudager.domains.messaging.caps import DAY, CapRules, Load, daily_cap, number_age_days
from saudager.domains.messaging.gate import GateAction, GateFacts, GateVerdict, judge
from saudager.domains.messaging.outbox import (
    GiveUp,
    Requeue,
    RetryPolicy,
    after_refusal,
    template_message,
)
from saudager.domains.messaging.ports import GateStore, OutboxStore, ProviderLookup
from saudager.domains.messaging.provider import OutcomeUnknown, SendRefused, StatusUpdate
from saudager.domains.messaging.records import NewMessage, OutboxMessage
from saudager.domains.messaging.setup import InstallDefaults, window_in_force
from saudager.domains.messaging.windows import SendWindow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass
class DispatchReport:
    """What one dispatch pass did, by outcome."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    postponed: int = 0  # by the gate: outside the send window, or over a cap
    cancelled: int = 0  # by the gate: opted out, or the order had its messages
    numbers_stopped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Gate:
    """The dispatcher's last check (``gate.py``) with what it reads: each shop's send window
    (its own, else the install's ``defaults``, in the shop's zone), its kill switch, the caps."""

    store: GateStore
    defaults: InstallDefaults
    caps: CapRules

    def verdict(self, message: OutboxMessage, now: datetime) -> GateVerdict:
        with self.store.reading() as tx:
            read = tx.gate_reading(message, now)
            first_send, count = read.number_first_send, read.recent_count
            at_cap = count >= daily_cap(self.caps, number_age_days(first_send, now))
            # The instants only when the number is at its cap: to find when room appears.
            recent = (
                tx.number_send_instants(message.from_number, now - DAY, now, message.id)
                if at_cap
                else None
            )
        start, end = window_in_force(read.setup, self.defaults)
        facts = GateFacts(
            window=SendWindow(start, end, read.timezone),
            load=Load(read.order_sends, read.buyer_last, count, recent),
            opted_out=read.opted_out,
            number_first_send=first_send,
            shop_paused=read.setup.paused_at is not None,
        )
        return judge(message, facts, now, self.caps)


@dataclass
class ReconcileReport:
    marked_unknown: int = 0


class OutboxService:
    """The outbox of every shop. ``clock`` and ``draw`` (the jitter's random numbers) are
    parameters so that tests control them."""

    def __init__(
        self,
        store: OutboxStore,
        clock: Clock,
        *,
        policy: RetryPolicy | None = None,
        draw: Callable[[], float] = random.random,
        gate: Gate | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy or RetryPolicy()
        self._draw = draw
        self._gate = gate

    def enqueue(self, message: NewMessage) -> tuple[OutboxMessage, bool]:
        """Add the message unless one with its key exists; ``True`` when added now."""
        with self._store.transaction() as tx:
            return tx.enqueue_message(message, self._clock())

    def dispatch(self, providers: ProviderLookup, *, limit: int | None = None) -> DispatchReport:
        """Send due messages one by one until none is due (or ``limit`` were claimed)."""
        report = DispatchReport()
        while limit is None or report.claimed < limit:
            token = uuid.uuid4().hex
            with self._store.transaction() as tx:
                claimed = tx.claim_due_messages(self._clock(), token, 1)
            if not claimed:
                break
            report.claimed += 1
            self._send(claimed[0], token, providers, report)
        return report

    def _send(
        self,
        message: OutboxMessage,
        token: str,
        providers: ProviderLookup,
        report: DispatchReport,
    ) -> None:
        if self._gate is not None and not self._passes_gate(message, token, report):
            return
        provider = providers(message.from_number)
        if provider is None:
            # Nothing was sent: it fails visibly rather than waiting for ever.
            with self._store.transaction() as tx:
                tx.fail_message(
                    message.id, token, f"no provider for {message.from_number}", self._clock()
                )
            report.failed += 1
            return
        try:
            accepted = provider.send_template(template_message(message))
        except SendRefused as refusal:
            self._record_refusal(message, token, refusal, report)
            return
        except OutcomeUnknown as exc:
            with self._store.transaction() as tx:
                tx.mark_message_unknown(message.id, token, f"no answer: {exc}", self._clock())
            log.warning(
                "message %s to %s: outcome unknown (%s)", message.id, mask_phone(message.to), exc
            )
            report.unknown += 1
            return
        with self._store.transaction() as tx:
            tx.mark_message_sent(message.id, token, accepted.provider_message_id, self._clock())
        report.sent += 1

    def _passes_gate(self, message: OutboxMessage, token: str, report: DispatchReport) -> bool:
        """Ask the gate; a message it holds back is put back or cancelled here."""
        assert self._gate is not None
        now = self._clock()
        verdict = self._gate.verdict(message, now)
        if verdict.action is GateAction.SEND:
            return True
        with self._gate.store.transaction() as tx:
            if verdict.action is GateAction.POSTPONE:
                assert verdict.until is not None
                tx.postpone_claimed(message.id, token, verdict.until, verdict.reason, now)
                report.postponed += 1
            else:
                tx.cancel_claimed(message.id, token, verdict.reason, now)
                report.cancelled += 1
        return False

    def _record_refusal(
        self, message: OutboxMessage, token: str, refusal: SendRefused, report: DispatchReport
    ) -> None:
        now = self._clock()
        decision = after_refusal(self._policy, message, refusal, now, self._draw())
        with self._store.transaction() as tx:
            if isinstance(decision, Requeue):
                tx.requeue_message(message.id, token, decision.next_attempt_at, decision.error, now)
                report.retrying += 1
                return
            assert isinstance(decision, GiveUp)
            tx.fail_message(message.id, token, decision.error, now)
            report.failed += 1
            if decision.stop_number:
                tx.stop_number(message.from_number, refusal.kind, decision.error, now)
                report.numbers_stopped.append(message.from_number)
        log.warning(
            "message %s to %s refused: %s",
            message.id,
            mask_phone(message.to),
            decision.error,
        )

    def reconcile(self, claim_timeout: timedelta) -> ReconcileReport:
        """Settle messages left ``claimed`` longer than ``claim_timeout`` (their dispatcher
        died, or its provider call hangs): never resent, they become ``unknown``. One whose
        status webhook had arrived is already ``sent`` (``record_status`` settles it)."""
        report = ReconcileReport()
        now = self._clock()
        with self._store.transaction() as tx:
            for message in tx.stale_claims(now - claim_timeout):
                assert message.claim_token is not None
                if tx.mark_message_unknown(
                    message.id,
                    message.claim_token,
                    "the dispatcher stopped between the claim and the record; not resent",
                    now,
                ):
                    report.marked_unknown += 1
        return report

    def record_status(self, update: StatusUpdate) -> OutboxMessage | None:
        with self._store.transaction() as tx:
            return tx.record_status(update, self._clock())
