"""Messaging statistics: per-template counts and review conversion against the holdout."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from saudager.domains.messaging.consent import OptOut, OptOutSource
from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.planner import MESSAGE_2
from saudager.domains.messaging.provider import DeliveryStatus, InboundMessage
from saudager.domains.messaging.records import MessageKey, OutboxMessage, OutboxState
from saudager.domains.messaging.reporting import (
    REVIEW_TEMPLATE,
    BadPhone,
    ReportingService,
    report_json,
)
from saudager.domains.messaging.stats import in_holdout, newcombe_interval
from saudager.domains.messaging.triage import Category, Triage
from saudager.domains.orders.types import Order, Review

SHOP = 7
SHARE = Decimal("0.10")
T0 = datetime(2026, 10, 1, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _phones(holdout: bool, count: int) -> list[str]:
    found: list[str] = []
    n = 0
    while len(found) < count:
        phone = f"+7701{n:07d}"
        if in_holdout(SHOP, phone, SHARE) is holdout:
            found.append(phone)
        n += 1
    return found


def _order(code: str, phone: str, completed: datetime | None = T0) -> Order:
    return Order(
        code=code, created_at=T0 - timedelta(days=3), state="ARCHIVE",
        status="COMPLETED" if completed else "CANCELLED", total_price=Decimal(1000),
        customer_phone=phone, completed_at=completed,
    )  # fmt: skip


def _message(
    id_: int,
    code: str,
    phone: str,
    *,
    template: str = REVIEW_TEMPLATE,
    kind: str = MESSAGE_2,
    status: DeliveryStatus | None = DeliveryStatus.DELIVERED,
    state: OutboxState = OutboxState.SENT,
) -> OutboxMessage:
    return OutboxMessage(
        id=id_, key=MessageKey(SHOP, code, kind), from_number="111", to=phone, template=template,
        language="ru", body_parameters=(), button_url_parameter=None, due_at=T0, state=state,
        attempts=1, next_attempt_at=T0, claim_token=None, claimed_at=T0,
        provider_message_id=f"wamid.{id_}", last_error=None, delivery_status=status,
        delivery_status_at=T0, created_at=T0, updated_at=T0,
    )  # fmt: skip


def _reply(id_: int, message: OutboxMessage, category: Category) -> InboundRecord:
    return InboundRecord(
        id=id_, business_number="111",
        message=InboundMessage(f"wamid.in{id_}", message.to, T0, "text"),
        triage=Triage(category), shop_id=SHOP, order_code=message.key.order_code,
        outbox_message_id=message.id, received_at=T0, resolved_at=None,
    )  # fmt: skip


def _review(code: str, at: datetime) -> Review:
    return Review(key=f"r-{code}-{at.isoformat()}", rating=5, created_at=at, order_code=code)


@dataclass
class FakeTx:
    messages: list[OutboxMessage] = field(default_factory=list)
    inbound: list[InboundRecord] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    stopped: list[OptOut] = field(default_factory=list)

    def outbox_messages(
        self, shop_id: int | None = None, state: OutboxState | None = None
    ) -> list[OutboxMessage]:
        return list(self.messages)

    def inbound_messages(
        self, shop_id: int | None, *, waiting_only: bool = False
    ) -> list[InboundRecord]:
        return list(self.inbound)

    def list_orders(
        self, shop_id: int, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> list[Order]:
        return list(self.orders)

    def list_reviews(self, shop_id: int) -> list[Review]:
        return list(self.reviews)

    def record_opt_out(self, opt_out: OptOut, now: datetime) -> bool:
        if any(o.phone == opt_out.phone for o in self.stopped):
            return False
        self.stopped.append(opt_out)
        return True

    def opt_outs(self, business_number: str | None = None) -> list[OptOut]:
        return list(self.stopped)

    def cancel_queued_to(self, business_number: str, phone: str, reason: str, now: datetime) -> int:
        queued = [m for m in self.messages if m.to == phone and m.state is OutboxState.QUEUED]
        self.messages = [m for m in self.messages if m not in queued]
        return len(queued)


@dataclass
class FakeStore:
    tx: FakeTx

    @contextmanager
    def reading(self) -> Iterator[FakeTx]:
        yield self.tx

    transaction = reading


def _service(tx: FakeTx, now: datetime = NOW) -> ReportingService:
    return ReportingService(FakeStore(tx), lambda: now, business_number="111", holdout_share=SHARE)


def _conversion_data() -> FakeTx:
    """10 review requests, 7 delivered, 3 of them reviewed within 14 days; 4 holdout, 1 review."""
    tx = FakeTx()
    messaged = _phones(False, 11)
    for i in range(10):
        code = f"M{i}"
        status = DeliveryStatus.DELIVERED if i < 7 else DeliveryStatus.SENT
        if i == 1:
            status = DeliveryStatus.READ
        tx.orders.append(_order(code, messaged[i]))
        tx.messages.append(_message(i + 1, code, messaged[i], status=status))
    # Within the window: the same day, day 5 and day 14 (inclusive); day 15 does not count.
    tx.reviews += [
        _review("M0", T0),
        _review("M1", T0 + timedelta(days=5)),
        _review("M2", T0 + timedelta(days=14)),
        _review("M3", T0 + timedelta(days=14, seconds=1)),
        _review("M8", T0 + timedelta(days=1)),  # not delivered: outside both groups
    ]
    held = _phones(True, 5)
    for i in range(4):
        tx.orders.append(_order(f"H{i}", held[i]))
    tx.reviews.append(_review("H0", T0 + timedelta(days=2)))
    # A holdout buyer on the service branch (message 2 was an apology): in neither group.
    tx.orders.append(_order("H9", held[4]))
    tx.messages.append(_message(50, "H9", held[4], template="order_late_apology_v1"))
    # A buyer outside the holdout who got no message 2, and a cancelled order: neither.
    tx.orders.append(_order("X1", messaged[10]))
    tx.orders.append(_order("X2", held[0], completed=None))
    return tx


def test_review_conversion_against_the_holdout() -> None:
    service = _service(_conversion_data())
    c = service.report(SHOP).conversion
    assert (c.messaged_orders, c.messaged_reviews) == (7, 3)
    assert (c.holdout_orders, c.holdout_reviews) == (4, 1)
    assert c.messaged_share == pytest.approx(3 / 7)
    assert c.holdout_share == pytest.approx(1 / 4)
    assert c.difference == pytest.approx(3 / 7 - 1 / 4)
    assert c.interval == pytest.approx(newcombe_interval(3, 7, 1, 4))


def test_orders_without_their_full_14_days_wait() -> None:
    tx = _conversion_data()
    as_of = T0 + timedelta(days=13)
    c = _service(tx, as_of).report(SHOP).conversion
    assert (c.messaged_orders, c.holdout_orders) == (0, 0)
    assert c.difference is None and c.interval is None


def test_the_period_selects_completed_orders_and_created_messages() -> None:
    tx = _conversion_data()
    service = _service(tx)
    later = service.report(SHOP, T0 + timedelta(seconds=1), NOW)
    assert later.templates == []
    assert later.conversion.messaged_orders == 0
    until = service.report(SHOP, T0 - timedelta(days=1), T0)  # the end is exclusive
    assert until.conversion.messaged_orders == 0
    around = service.report(SHOP, T0, T0 + timedelta(seconds=1))
    assert around.conversion.messaged_orders == 7


def test_per_template_counts() -> None:
    tx = FakeTx()
    a = _message(1, "A", "+77010000001", status=DeliveryStatus.READ)
    b = _message(2, "B", "+77010000002", status=DeliveryStatus.DELIVERED)
    c = _message(3, "C", "+77010000003", status=DeliveryStatus.FAILED)
    d = _message(4, "D", "+77010000004", template="order_received_v1", kind="message_1")
    queued = _message(5, "E", "+77010000005", status=None, state=OutboxState.QUEUED)
    tx.messages += [a, b, c, d, queued]
    tx.inbound += [
        _reply(1, a, Category.THANKS),
        _reply(2, a, Category.COMPLAINT),
        _reply(3, b, Category.OPT_OUT),
    ]
    report = _service(tx).report(SHOP)
    by_template = {s.template: s for s in report.templates}
    review = by_template[REVIEW_TEMPLATE]
    assert (review.sent, review.delivered, review.read, review.failed) == (3, 2, 1, 1)
    assert (review.replied, review.complaints, review.opt_outs) == (2, 1, 1)
    received = by_template["order_received_v1"]
    assert (received.sent, received.delivered, received.replied) == (1, 1, 0)
    data = report_json(report)
    assert data["shop_id"] == SHOP
    assert isinstance(data["templates"], list) and len(data["templates"]) == 2


def test_a_seller_opt_out_is_recorded_once_and_cancels_queued_messages() -> None:
    tx = FakeTx()
    tx.messages.append(_message(1, "A", "+77011234567", status=None, state=OutboxState.QUEUED))
    service = _service(tx)
    stored, added, cancelled = service.opt_out(SHOP, "8 (701) 123-45-67")
    assert (stored.phone, stored.source, stored.shop_id) == (
        "+77011234567",
        OptOutSource.SELLER,
        SHOP,
    )
    assert stored.business_number == "111" and (added, cancelled) == (True, 1)
    again, added_again, _ = service.opt_out(SHOP, "+77011234567")
    assert added_again is False and again == stored
    assert len(service.opt_outs()) == 1
    with pytest.raises(BadPhone):
        service.opt_out(SHOP, "12345")
