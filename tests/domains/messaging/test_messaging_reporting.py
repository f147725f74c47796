"""Messaging statistics on SQLite and PostgreSQL: per-template counts and review conversion
against the holdout, hand-counted, the edges of the 14 days and of the period included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.consent import OptOutSource
from saudager.domains.messaging.inbox_ports import NewInbound
from saudager.domains.messaging.planner import MESSAGE_2
from saudager.domains.messaging.provider import DeliveryStatus, InboundMessage, StatusUpdate
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxMessage
from saudager.domains.messaging.reporting import (
    REVIEW_TEMPLATE,
    BadPhone,
    ReportingService,
    report_json,
)
from saudager.domains.messaging.stats import in_holdout, newcombe_interval
from saudager.domains.messaging.triage import Category, Triage
from saudager.domains.orders.types import Order, Review

NUMBER = "111"
SHARE = Decimal("0.10")
T0 = datetime(2026, 10, 1, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


class Shop:
    """A shop in a real store, and helpers that put its history in the way it happens."""

    def __init__(self, engine: Engine) -> None:
        self.store = SqlStore(engine)
        with self.store.transaction() as tx:
            self.id = tx.add_shop("Кружки", "Asia/Almaty", None, None).id
        self.sent = 0

    def phones(self, holdout: bool, count: int) -> list[str]:
        found: list[str] = []
        n = 0
        while len(found) < count:
            phone = f"+7701{n:07d}"
            if in_holdout(self.id, phone, SHARE) is holdout:
                found.append(phone)
            n += 1
        return found

    def order(self, code: str, phone: str, completed: datetime | None = T0) -> None:
        order = Order(
            code=code, created_at=T0 - timedelta(days=3), state="ARCHIVE",
            status="COMPLETED" if completed else "CANCELLED", total_price=Decimal(1000),
            customer_phone=phone, completed_at=completed,
        )  # fmt: skip
        with self.store.transaction() as tx:
            tx.upsert_orders(self.id, [order])

    def message(
        self,
        code: str,
        phone: str,
        *,
        template: str = REVIEW_TEMPLATE,
        kind: str = MESSAGE_2,
        status: DeliveryStatus | None = DeliveryStatus.DELIVERED,
        send: bool = True,
    ) -> OutboxMessage:
        """A message queued at T0 and, with ``send``, taken by WhatsApp, then ``status``."""
        with self.store.transaction() as tx:
            queued, _ = tx.enqueue_message(
                NewMessage(
                    key=MessageKey(self.id, code, kind), from_number=NUMBER, to=phone,
                    template=template, language="ru", body_parameters=(code,), due_at=T0,
                ),
                T0,
            )  # fmt: skip
            if not send:
                return queued
            self.sent += 1
            wamid, token = f"wamid.{self.sent}", f"token.{self.sent}"
            (claimed,) = tx.claim_due_messages(T0, token, 1)
            assert claimed.id == queued.id
            assert tx.mark_message_sent(queued.id, token, wamid, T0)
            if status is not None:
                tx.record_status(StatusUpdate(wamid, status, T0, phone, None), T0)
            stored = tx.outbox_message(queued.id)
        assert stored is not None
        return stored

    def reply(self, wamid: str, message: OutboxMessage, category: Category) -> None:
        inbound = InboundMessage(wamid, message.to, T0, "text", message.provider_message_id)
        with self.store.transaction() as tx:
            tx.add_inbound(NewInbound(NUMBER, inbound, Triage(category), message), T0)

    def review(self, code: str, at: datetime) -> None:
        review = Review(key=f"r-{code}-{at.isoformat()}", rating=5, created_at=at, order_code=code)
        with self.store.transaction() as tx:
            tx.upsert_reviews(self.id, [review])

    def service(self, now: datetime = NOW) -> ReportingService:
        return ReportingService(
            self.store, lambda: now, business_number=NUMBER, holdout_share=SHARE
        )


@pytest.fixture
def shop(engine: Engine) -> Shop:
    return Shop(engine)


def _conversion_data(shop: Shop) -> None:
    """10 review requests, 7 delivered, 3 of them reviewed within 14 days; 4 holdout, 1 review."""
    messaged = shop.phones(False, 11)
    for i in range(10):
        code = f"M{i}"
        status = DeliveryStatus.DELIVERED if i < 7 else DeliveryStatus.SENT
        if i == 1:
            status = DeliveryStatus.READ
        shop.order(code, messaged[i])
        shop.message(code, messaged[i], status=status)
    # Within the window: the same day, day 5 and day 14 (inclusive); day 15 does not count.
    shop.review("M0", T0)
    shop.review("M1", T0 + timedelta(days=5))
    shop.review("M2", T0 + timedelta(days=14))
    shop.review("M3", T0 + timedelta(days=14, seconds=1))
    shop.review("M8", T0 + timedelta(days=1))  # not delivered: outside both groups
    held = shop.phones(True, 5)
    for i in range(4):
        shop.order(f"H{i}", held[i])
    shop.review("H0", T0 + timedelta(days=2))
    # A holdout buyer on the service branch (message 2 was an apology): in neither group.
    shop.order("H9", held[4])
    shop.message("H9", held[4], template="order_late_apology_v1")
    # A buyer outside the holdout who got no message 2, and a cancelled order: neither.
    shop.order("X1", messaged[10])
    shop.order("X2", held[0], completed=None)


def test_review_conversion_against_the_holdout(shop: Shop) -> None:
    _conversion_data(shop)
    c = shop.service().report(shop.id).conversion
    assert (c.messaged_orders, c.messaged_reviews) == (7, 3)
    assert (c.holdout_orders, c.holdout_reviews) == (4, 1)
    assert c.messaged_share == pytest.approx(3 / 7)
    assert c.holdout_share == pytest.approx(1 / 4)
    assert c.difference == pytest.approx(3 / 7 - 1 / 4)
    assert c.interval == pytest.approx(newcombe_interval(3, 7, 1, 4))


def test_orders_without_their_full_14_days_wait(shop: Shop) -> None:
    _conversion_data(shop)
    as_of = T0 + timedelta(days=13)
    c = shop.service(as_of).report(shop.id).conversion
    assert (c.messaged_orders, c.holdout_orders) == (0, 0)
    assert c.difference is None and c.interval is None


def test_the_period_selects_completed_orders_and_created_messages(shop: Shop) -> None:
    _conversion_data(shop)
    service = shop.service()
    later = service.report(shop.id, T0 + timedelta(seconds=1), NOW)
    assert later.templates == []
    assert later.conversion.messaged_orders == 0
    until = service.report(shop.id, T0 - timedelta(days=1), T0)  # the end is exclusive
    assert until.conversion.messaged_orders == 0
    around = service.report(shop.id, T0, T0 + timedelta(seconds=1))
    assert around.conversion.messaged_orders == 7


def test_per_template_counts(shop: Shop) -> None:
    a = shop.message("A", "+77010000001", status=DeliveryStatus.READ)
    b = shop.message("B", "+77010000002", status=DeliveryStatus.DELIVERED)
    shop.message("C", "+77010000003", status=DeliveryStatus.FAILED)
    shop.message("D", "+77010000004", template="order_received_v1", kind="message_1")
    shop.message("E", "+77010000005", status=None, send=False)  # queued: not counted
    shop.reply("wamid.in1", a, Category.THANKS)
    shop.reply("wamid.in2", a, Category.COMPLAINT)
    shop.reply("wamid.in3", b, Category.OPT_OUT)
    report = shop.service().report(shop.id)
    by_template = {s.template: s for s in report.templates}
    review = by_template[REVIEW_TEMPLATE]
    assert (review.sent, review.delivered, review.read, review.failed) == (3, 2, 1, 1)
    assert (review.replied, review.complaints, review.opt_outs) == (2, 1, 1)
    received = by_template["order_received_v1"]
    assert (received.sent, received.delivered, received.replied) == (1, 1, 0)
    data = report_json(report)
    assert data["shop_id"] == shop.id
    assert isinstance(data["templates"], list) and len(data["templates"]) == 2


def test_a_seller_opt_out_is_recorded_once_and_cancels_queued_messages(shop: Shop) -> None:
    shop.message("A", "+77011234567", status=None, send=False)
    service = shop.service()
    stored, added, cancelled = service.opt_out(shop.id, "8 (701) 123-45-67")
    assert (stored.phone, stored.source, stored.shop_id) == (
        "+77011234567",
        OptOutSource.SELLER,
        shop.id,
    )
    assert stored.business_number == NUMBER and (added, cancelled) == (True, 1)
    again, added_again, _ = service.opt_out(shop.id, "+77011234567")
    assert added_again is False and again == stored
    assert len(service.opt_outs()) == 1
    with pytest.raises(BadPhone):
        service.opt_out(shop.id, "12345")


def test_orders_completed_before_the_first_message_are_in_neither_group(shop: Shop) -> None:
    """The experiment begins with the shop's first message (T0 here): a holdout buyer's order
    completed a second before it is no holdout — nobody was being written to then."""
    _conversion_data(shop)
    early = shop.phones(True, 7)[6]
    shop.order("E1", early, completed=T0 - timedelta(seconds=1))
    shop.review("E1", T0)
    c = shop.service().report(shop.id).conversion
    assert (c.holdout_orders, c.holdout_reviews) == (4, 1)
    c = shop.service().report(shop.id, T0 - timedelta(days=30), NOW).conversion
    assert (c.holdout_orders, c.holdout_reviews) == (4, 1)
