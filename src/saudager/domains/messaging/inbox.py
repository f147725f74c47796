"""The inbox: what the WhatsApp webhook delivers, applied — delivery statuses to the outbox,
buyers' messages matched to their order, triaged, and acted on.

For each inbound message, in one transaction:

1. it is matched to our message it answers (``triage.match_order``: the message it quotes,
   else our latest message to that phone in the last 30 days) and so to a shop and an order;
2. it is classified (``triage.classify``) and stored once, keyed by its provider id: a webhook
   delivered twice changes nothing and alerts nobody twice;
3. an opt-out (a stop word or the opt-out button) is recorded at once for the buyer's phone and
   the business number, which stops every shop on that number, and the messages still queued
   to that phone from that number are cancelled.

After the commit, a complaint matched to a shop alerts its seller through the quality module's
notifier, at least once (``alerts.py``: the alert is logged once sent, and a sweep sends what is
not); every message, flagged or not, waits in the shop's inbox until the seller resolves it.
The alert names the order and the rule that decided, never the buyer's phone or words (alert
texts go to logs and chats): the seller reads those in the inbox.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from saudager.domains.messaging.alerts import MessagingAlerts, complaint_alert
from saudager.domains.messaging.consent import OptOut, opt_out_from
from saudager.domains.messaging.inbox_ports import InboundRecord, InboxStore, NewInbound
from saudager.domains.messaging.provider import InboundMessage, StatusUpdate
from saudager.domains.messaging.records import OutboxMessage
from saudager.domains.messaging.service import OutboxService
from saudager.domains.messaging.triage import (
    MATCH_BY_PHONE_WITHIN,
    Category,
    SentRef,
    classify,
    match_order,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

#: The business number recorded when a reply matches none of our messages, its webhook did not
#: name our number (``metadata.phone_number_id``) and none is configured.
UNKNOWN_NUMBER = ""

#: The reason a queued message is cancelled with when its buyer opts out.
OPTED_OUT = "the buyer opted out of messages from this number"


@dataclass
class InboxReport:
    """What one webhook delivery did."""

    statuses: int = 0  # status updates applied (or stored for a message not known yet)
    received: int = 0  # inbound messages stored now
    duplicates: int = 0  # inbound messages stored before: nothing done
    opt_outs: int = 0  # opt-outs recorded now
    cancelled: int = 0  # queued messages cancelled by those opt-outs
    complaints: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    #: Complaints stored now whose alerts were deferred (``handle(..., defer_alerts=True)``).
    complaints_to_alert: list[InboundRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Received:
    """One inbound message stored now, and what its opt-out (if it was one) did."""

    record: InboundRecord
    opted_out: bool
    cancelled: int


class InboxService:
    """Applies webhook events. ``business_number``: the number replies that match none of our
    messages are filed under (the configured Cloud API phone number id)."""

    def __init__(
        self,
        store: InboxStore,
        outbox: OutboxService,
        alerts: MessagingAlerts,
        clock: Clock,
        *,
        business_number: str | None = None,
        match_within: timedelta = MATCH_BY_PHONE_WITHIN,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._alerts = alerts
        self._clock = clock
        self._business_number = business_number or UNKNOWN_NUMBER
        self._match_within = match_within

    def handle(
        self,
        statuses: Sequence[StatusUpdate],
        messages: Sequence[InboundMessage],
        *,
        defer_alerts: bool = False,
    ) -> InboxReport:
        """Apply one webhook delivery: the statuses first (in the order they came: the outbox
        keeps the highest-ranked one), then the buyers' messages, then the complaints' alerts.

        With ``defer_alerts`` the complaints are not alerted here but listed in the report's
        ``complaints_to_alert``, for :meth:`alert_complaints` once the webhook has been answered
        (a notifier's retries must not keep the provider waiting)."""
        report = InboxReport()
        for update in statuses:
            self._outbox.record_status(update)
            report.statuses += 1
        for message in messages:
            received = self.receive(message)
            if received is None:
                report.duplicates += 1
                continue
            report.received += 1
            report.opt_outs += received.opted_out
            report.cancelled += received.cancelled
            if received.record.triage.category is Category.COMPLAINT:
                report.complaints += 1
                report.complaints_to_alert.append(received.record)
        if not defer_alerts:
            self.alert_complaints(report.complaints_to_alert, report)
            report.complaints_to_alert = []
        return report

    def alert_complaints(
        self, records: Sequence[InboundRecord], report: InboxReport | None = None
    ) -> None:
        """Tell each complaint's seller through the notifier (each record once: the caller
        passes only messages stored now). A failed channel is logged, never raised."""
        for record in records:
            sent = self._alert(record)
            if report is not None and sent is not None:
                report.alerts_sent += sent
                report.alerts_failed += not sent

    def receive(self, message: InboundMessage) -> Received | None:
        """Match, triage and store one inbound message, recording an opt-out; ``None`` when it
        was stored before. The caller alerts (after this transaction has committed)."""
        now = self._clock()
        with self._store.transaction() as tx:
            candidates = tx.reply_candidates(
                message.sender, message.in_reply_to, message.at - self._match_within
            )
            if message.business_number is not None:  # a reply answers a message of that number
                candidates = [c for c in candidates if c.from_number == message.business_number]
            answered = answered_message(message, candidates, self._match_within)
            number = (
                answered.from_number
                if answered is not None
                else message.business_number or self._business_number
            )
            triage = classify(message)
            record = tx.add_inbound(NewInbound(number, message, triage, answered), now)
            if record is None:
                return None
            opt_out = opt_out_from(
                message,
                business_number=number,
                shop_id=None if answered is None else answered.key.shop_id,
            )
            opted_out = False
            cancelled = 0
            if opt_out is not None:
                opted_out = tx.record_opt_out(opt_out, now)
                cancelled = tx.cancel_queued_to(number, message.sender, OPTED_OUT, now)
        return Received(record, opted_out, cancelled)

    def _alert(self, record: InboundRecord) -> bool | None:
        """Tell the seller about a complaint: ``True`` sent (or sent before), ``False`` failed
        (the alerts' sweep tries again), ``None`` when it matched no shop (it waits in the
        inbox of unmatched messages)."""
        if record.shop_id is None:
            log.warning("a complaint matched no order (inbound message %s)", record.id)
            return None
        alert = complaint_alert(record, self._clock(), self._alerts.language)
        self._alerts.send([alert])
        return self._alerts.was_sent(alert)

    def inbox(self, shop_id: int | None, *, waiting_only: bool = True) -> list[InboundRecord]:
        """The shop's inbound messages, newest first (``None``: those matched to no shop)."""
        with self._store.transaction() as tx:
            return tx.inbound_messages(shop_id, waiting_only=waiting_only)

    def resolve(self, inbound_id: int, shop_id: int | None) -> bool:
        """The seller dealt with the message: it leaves the waiting list."""
        with self._store.transaction() as tx:
            return tx.resolve_inbound(inbound_id, shop_id, self._clock())

    def opt_outs(self, business_number: str | None = None) -> list[OptOut]:
        with self._store.transaction() as tx:
            return tx.opt_outs(business_number)

    def is_opted_out(self, business_number: str, phone: str) -> bool:
        with self._store.transaction() as tx:
            return tx.is_opted_out(business_number, phone)


def answered_message(
    message: InboundMessage, candidates: Sequence[OutboxMessage], within: timedelta
) -> OutboxMessage | None:
    """Our message the reply answers, among ``candidates`` (``triage.match_order``): the one
    it quotes, else the latest to its sender within ``within`` before it; ``None`` for none."""
    if message.in_reply_to is not None:
        for candidate in candidates:
            if candidate.provider_message_id == message.in_reply_to:
                return candidate
    by_ref: dict[str, OutboxMessage] = {}
    refs: list[SentRef] = []
    for candidate in candidates:
        # A message whose provider id we never learned (its outcome is unknown) can still be
        # matched by phone, under a placeholder id; the quote was looked for above, so the
        # placeholder is never compared with a quoted id.
        ref_id = candidate.provider_message_id or f"outbox:{candidate.id}"
        by_ref[ref_id] = candidate
        refs.append(
            SentRef(
                provider_message_id=ref_id,
                shop_id=candidate.key.shop_id,
                order_code=candidate.key.order_code,
                phone=candidate.to,
                at=candidate.claimed_at or candidate.due_at,
            )
        )
    matched = match_order(replace(message, in_reply_to=None), refs, within=within)
    return None if matched is None else by_ref[matched.provider_message_id]
