"""Messaging statistics for a shop and a period: what each template did, and review conversion.

Per template (``stats.template_stats``), over the outbox messages of the shop created in the
period and taken by the provider (state ``sent``): sent, delivered, read, failed (their latest
delivery status), replied (an inbound message matched to the message), complaints and opt-outs
(replies triaged as such).

Review conversion (``stats.conversion``), over the shop's orders completed in the period:

- the **messaged** group: orders whose message 2 was the review request (its ``purpose``; for
  a message queued before purposes were stored, the ready review template's name) and was
  delivered;
- the **holdout** group: orders whose buyer's phone is in the holdout (``stats.in_holdout``
  with the shop's holdout share) and that got no message 2 at all (the service branch —
  complaint, return, cancellation, late handover — sends one and so is in neither group).

An order is delivered when it was completed (``completed_at``); its review is the first Kaspi
review naming the order.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from saudager.core.phones import normalize_kz_phone
from saudager.domains.messaging.consent import OptOut, OptOutSource
from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.planner import MESSAGE_2
from saudager.domains.messaging.provider import DeliveryStatus
from saudager.domains.messaging.records import OutboxMessage, OutboxState
from saudager.domains.messaging.stats import (
    DEFAULT_HOLDOUT_SHARE,
    Conversion,
    DeliveredOrder,
    MessageOutcome,
    TemplateStats,
    conversion,
    in_holdout,
    template_stats,
)
from saudager.domains.messaging.templates import READY_APPROVED, MessageKind
from saudager.domains.messaging.triage import Category
from saudager.domains.orders.types import Order, OrderStatus, Review

REVIEW_TEMPLATE = READY_APPROVED[MessageKind.REVIEW_REQUEST]
_DELIVERED = (DeliveryStatus.DELIVERED, DeliveryStatus.READ)


def is_review_request(message: OutboxMessage) -> bool:
    if message.purpose is not None:
        return message.purpose == MessageKind.REVIEW_REQUEST.value
    return message.template == REVIEW_TEMPLATE


class ReportTx(Protocol):
    """What the statistics read inside one transaction (``SqlStoreTx`` has it all)."""

    def outbox_messages(
        self, shop_id: int | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]: ...

    def inbound_messages(
        self, shop_id: int | None, *, waiting_only: bool = False
    ) -> list[InboundRecord]: ...

    def completed_orders(
        self, shop_id: int, completed_from: datetime | None, completed_to: datetime | None
    ) -> list[Order]: ...

    def list_reviews(self, shop_id: int, created_from: datetime | None = None) -> list[Review]: ...

    def record_opt_out(self, opt_out: OptOut, now: datetime) -> bool: ...

    def opt_outs(self, business_number: str | None = None) -> list[OptOut]: ...

    def cancel_queued_to(
        self, business_number: str, phone: str, reason: str, now: datetime
    ) -> int: ...


class ReportStore(Protocol):
    def reading(self) -> AbstractContextManager[ReportTx]: ...

    def transaction(self) -> AbstractContextManager[ReportTx]: ...


class BadPhone(ValueError):
    """The phone is not a Kazakhstan mobile number."""


@dataclass(frozen=True, slots=True)
class MessagingReport:
    shop_id: int
    period_from: datetime | None
    period_to: datetime | None  # exclusive
    as_of: datetime
    templates: list[TemplateStats]
    conversion: Conversion


def _in(at: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if at is None:
        return False
    return (start is None or at >= start) and (end is None or at < end)


def outcomes(messages: list[OutboxMessage], inbound: list[InboundRecord]) -> list[MessageOutcome]:
    """Each sent message with its latest status and what the buyer's replies to it were."""
    replies: dict[int, set[Category]] = {}
    for record in inbound:
        if record.outbox_message_id is not None:
            replies.setdefault(record.outbox_message_id, set()).add(record.triage.category)
    return [
        MessageOutcome(
            template=m.template,
            status=m.delivery_status,
            replied=m.id in replies,
            complained=Category.COMPLAINT in replies.get(m.id, ()),
            opted_out=Category.OPT_OUT in replies.get(m.id, ()),
        )
        for m in messages
        if m.state is OutboxState.SENT
    ]


def delivered_orders(
    shop_id: int,
    orders: list[Order],
    messages: list[OutboxMessage],
    reviews: list[Review],
    *,
    holdout_share: Decimal = DEFAULT_HOLDOUT_SHARE,
) -> list[DeliveredOrder]:
    """The completed orders of the messaged and the holdout groups (see the module's text)."""
    second = {m.key.order_code: m for m in messages if m.key.kind == MESSAGE_2}
    first_review: dict[str, datetime] = {}
    for review in sorted(reviews, key=lambda r: r.created_at):
        if review.order_code is not None:
            first_review.setdefault(review.order_code, review.created_at)
    found: list[DeliveredOrder] = []
    for order in orders:
        if order.status != OrderStatus.COMPLETED or order.completed_at is None:
            continue
        message = second.get(order.code)
        if message is None:
            phone = normalize_kz_phone(order.customer_phone)
            if phone is None or not in_holdout(shop_id, phone, holdout_share):
                continue
            messaged = False
        elif is_review_request(message) and message.delivery_status in _DELIVERED:
            messaged = True
        else:
            continue
        found.append(
            DeliveredOrder(order.code, order.completed_at, messaged, first_review.get(order.code))
        )
    return found


class ReportingService:
    """Messaging statistics of a shop (see the module's text)."""

    def __init__(
        self,
        store: ReportStore,
        clock: Callable[[], datetime],
        *,
        business_number: str,
        holdout_share: Decimal = DEFAULT_HOLDOUT_SHARE,
    ) -> None:
        self._store = store
        self._clock = clock
        self._number = business_number
        self._holdout_share = holdout_share

    def opt_out(self, shop_id: int, phone: str) -> tuple[OptOut, bool, int]:
        """Record that the buyer asked the shop (by phone, in the Kaspi chat…) to stop: no
        shop on the business number writes to them again. The opt-out as stored (the first one
        stays), whether it was recorded now, and how many queued messages were cancelled.
        Raises :class:`BadPhone` for a phone that is not ``+7…`` in any usual spelling."""
        normalized = normalize_kz_phone(phone)
        if normalized is None:
            raise BadPhone(f"{phone!r} is not a Kazakhstan mobile number such as +77011234567")
        now = self._clock()
        record = OptOut(normalized, self._number, now, OptOutSource.SELLER, shop_id)
        with self._store.transaction() as tx:
            added = tx.record_opt_out(record, now)
            cancelled = tx.cancel_queued_to(self._number, normalized, "opted out (seller)", now)
            stored = next((o for o in tx.opt_outs(self._number) if o.phone == normalized), record)
        return stored, added, cancelled

    def opt_outs(self) -> list[OptOut]:
        """Every opt-out of the business number."""
        with self._store.reading() as tx:
            return tx.opt_outs(self._number)

    def report(
        self, shop_id: int, period_from: datetime | None = None, period_to: datetime | None = None
    ) -> MessagingReport:
        """The statistics of messages created, and orders completed, in ``[from, to)``."""
        with self._store.reading() as tx:
            messages = tx.outbox_messages(shop_id)
            inbound = tx.inbound_messages(shop_id)
            # The experiment began with the shop's first message: an order completed before it
            # is in neither group, so neither it nor its review is read (a shop of a million
            # orders is not loaded for a month of messages).
            began = min((m.created_at for m in messages), default=None)
            start = began if period_from is None or (began and began > period_from) else period_from
            completed = [] if began is None else tx.completed_orders(shop_id, start, period_to)
            reviews = [] if began is None else tx.list_reviews(shop_id, created_from=began)
        in_period = [m for m in messages if _in(m.created_at, period_from, period_to)]
        delivered = delivered_orders(
            shop_id, completed, messages, reviews, holdout_share=self._holdout_share
        )
        as_of = self._clock()
        return MessagingReport(
            shop_id=shop_id,
            period_from=period_from,
            period_to=period_to,
            as_of=as_of,
            templates=template_stats(outcomes(in_period, inbound)),
            conversion=conversion(delivered, as_of),
        )


def report_json(report: MessagingReport) -> dict[str, object]:
    """The report as JSON-ready values."""
    c = report.conversion
    return {
        "shop_id": report.shop_id,
        "from": report.period_from.isoformat() if report.period_from else None,
        "to": report.period_to.isoformat() if report.period_to else None,
        "as_of": report.as_of.isoformat(),
        "templates": [
            {
                "template": s.template, "sent": s.sent, "delivered": s.delivered, "read": s.read,
                "failed": s.failed, "replied": s.replied, "complaints": s.complaints,
                "opt_outs": s.opt_outs,
            }
            for s in report.templates
        ],
        "conversion": {
            "messaged_orders": c.messaged_orders, "messaged_reviews": c.messaged_reviews,
            "holdout_orders": c.holdout_orders, "holdout_reviews": c.holdout_reviews,
            "messaged_share": c.messaged_share, "holdout_share": c.holdout_share,
            "difference": c.difference,
            "interval": list(c.interval) if c.interval is not None else None,
        },
    }  # fmt: skip
