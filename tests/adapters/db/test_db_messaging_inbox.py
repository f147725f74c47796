"""The inbox on SQLite and PostgreSQL: statuses applied to the outbox, replies matched to their
order and triaged, opt-outs recorded once for every shop on the number, complaints alerted once
through the log notifier — each event stored once however often the webhook repeats it."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from saudager.adapters.db import tables as t
from saudager.adapters.db.store import SqlStore
from saudager.adapters.notify.log import DEFAULT_LOGGER, LogNotifier
from saudager.domains.messaging.alerts import MessagingAlerts
from saudager.domains.messaging.consent import OptOutSource
from saudager.domains.messaging.inbox import OPTED_OUT, InboxService
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    InboundMessage,
    StatusUpdate,
)
from saudager.domains.messaging.records import (
    MessageKey,
    NewMessage,
    OutboxMessage,
    OutboxState,
)
from saudager.domains.messaging.service import OutboxService
from saudager.domains.messaging.triage import Category

NUMBER = "123456789012345"  # the Cloud API phone number id messages are sent from
BUYER = "+77011234567"
T0 = datetime(2025, 8, 25, 6, 0, tzinfo=UTC)


@pytest.fixture
def inbox(store: SqlStore, clock: Callable[[], datetime]) -> InboxService:
    alerts = MessagingAlerts(store, LogNotifier(), clock)
    return InboxService(store, OutboxService(store, clock), alerts, clock, business_number=NUMBER)


def _sent(
    store: SqlStore, shop_id: int, order: str, wamid: str, *, to: str = BUYER
) -> OutboxMessage:
    """A message of ``shop_id`` about ``order`` that the provider took as ``wamid``."""
    with store.transaction() as tx:
        message, _ = tx.enqueue_message(_new(shop_id, order, to=to), T0)
        (claimed,) = tx.claim_due_messages(T0, f"token-{wamid}", 1)
        assert claimed.id == message.id
        assert tx.mark_message_sent(message.id, f"token-{wamid}", wamid, T0)
        stored = tx.outbox_message(message.id)
    assert stored is not None
    return stored


def _new(shop_id: int, order: str, *, to: str = BUYER, kind: str = "order_received") -> NewMessage:
    return NewMessage(
        key=MessageKey(shop_id, order, kind),
        from_number=NUMBER,
        to=to,
        template="order_received_v1",
        language="ru",
        body_parameters=("Айгерим", order),
        due_at=T0,
    )


def _reply(
    wamid: str, text: str, *, in_reply_to: str | None = None, payload: str | None = None
) -> InboundMessage:
    return InboundMessage(
        provider_message_id=wamid,
        sender=BUYER,
        at=T0 + timedelta(hours=2),
        text=text,
        in_reply_to=in_reply_to,
        button_payload=payload,
    )


def _status(wamid: str, status: DeliveryStatus, minutes: int) -> StatusUpdate:
    return StatusUpdate(
        provider_message_id=wamid,
        status=status,
        at=T0 + timedelta(minutes=minutes),
        recipient=BUYER,
        callback_data=None,
    )


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _second_shop(store: SqlStore) -> int:
    with store.transaction() as tx:
        return tx.add_shop("Second shop", "Asia/Almaty", None, None).id


def test_statuses_out_of_order_and_repeated_end_in_the_highest(
    engine: Engine, store: SqlStore, shop_id: int, inbox: InboxService
) -> None:
    sent = _sent(store, shop_id, "500000001", "wamid.A")
    read = _status("wamid.A", DeliveryStatus.READ, 9)
    delivered = _status("wamid.A", DeliveryStatus.DELIVERED, 5)
    first = _status("wamid.A", DeliveryStatus.SENT, 1)
    report = inbox.handle([read, delivered, read, first, delivered], [])
    assert report.statuses == 5
    inbox.handle([first, read], [])
    with store.transaction() as tx:
        message = tx.outbox_message(sent.id)
    assert message is not None
    assert message.state is OutboxState.SENT
    assert message.delivery_status is DeliveryStatus.READ
    assert message.delivery_status_at == T0 + timedelta(minutes=9)
    assert _count(engine, t.message_status_events) == 3


@pytest.mark.parametrize(
    ("text", "payload", "source"),
    [
        ("STOP", None, OptOutSource.KEYWORD),
        ("стоп", None, OptOutSource.KEYWORD),
        ("Тоқта!", None, OptOutSource.KEYWORD),
        ("Не присылайте больше", "OPT_OUT", OptOutSource.BUTTON),
    ],
)
def test_an_opt_out_stops_every_shop_on_the_number_once(
    engine: Engine,
    store: SqlStore,
    shop_id: int,
    inbox: InboxService,
    text: str,
    payload: str | None,
    source: OptOutSource,
) -> None:
    other_shop = _second_shop(store)
    _sent(store, shop_id, "500000001", "wamid.A")
    with store.transaction() as tx:
        queued_here, _ = tx.enqueue_message(_new(shop_id, "500000001", kind="review"), T0)
        queued_there, _ = tx.enqueue_message(_new(other_shop, "700000009"), T0)
        elsewhere, _ = tx.enqueue_message(_new(other_shop, "700000010", to="+77019999999"), T0)
    reply = _reply("wamid.IN1", text, in_reply_to="wamid.A", payload=payload)

    first = inbox.handle([], [reply])
    again = inbox.handle([], [reply])

    assert (first.received, first.opt_outs, first.cancelled) == (1, 1, 2)
    assert (again.received, again.duplicates, again.opt_outs) == (0, 1, 0)
    (opt_out,) = inbox.opt_outs()
    assert (opt_out.phone, opt_out.business_number) == (BUYER, NUMBER)
    assert (opt_out.source, opt_out.shop_id) == (source, shop_id)
    assert opt_out.at == reply.at
    assert opt_out.provider_message_id == "wamid.IN1"
    assert inbox.is_opted_out(NUMBER, BUYER)
    assert not inbox.is_opted_out(NUMBER, "+77019999999")
    with store.transaction() as tx:
        states = {
            m.id: (m.state, m.last_error)
            for m in (
                tx.outbox_message(queued_here.id),
                tx.outbox_message(queued_there.id),
                tx.outbox_message(elsewhere.id),
            )
            if m is not None
        }
    assert states == {
        queued_here.id: (OutboxState.CANCELLED, OPTED_OUT),
        queued_there.id: (OutboxState.CANCELLED, OPTED_OUT),
        elsewhere.id: (OutboxState.QUEUED, None),
    }
    assert _count(engine, t.messaging_opt_outs) == 1
    assert _count(engine, t.messaging_inbound) == 1
    (stored,) = inbox.inbox(shop_id)
    assert stored.triage.category is Category.OPT_OUT


def test_a_later_opt_out_keeps_the_first_record(
    store: SqlStore, shop_id: int, inbox: InboxService
) -> None:
    _sent(store, shop_id, "500000001", "wamid.A")
    inbox.handle([], [_reply("wamid.IN1", "стоп", in_reply_to="wamid.A")])
    later = _reply("wamid.IN2", "", payload="OPT_OUT")
    report = inbox.handle([], [later])
    assert (report.received, report.opt_outs) == (1, 0)
    (opt_out,) = inbox.opt_outs(NUMBER)
    assert (opt_out.source, opt_out.provider_message_id) == (OptOutSource.KEYWORD, "wamid.IN1")


def test_a_complaint_is_matched_alerted_once_and_waits_in_the_inbox(
    store: SqlStore,
    shop_id: int,
    inbox: InboxService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    other_shop = _second_shop(store)
    _sent(store, shop_id, "500000001", "wamid.A")
    _sent(store, other_shop, "700000009", "wamid.B")  # later, to the same buyer
    complaint = _reply("wamid.IN1", "Товар пришёл сломанный, верните деньги", in_reply_to="wamid.A")
    with caplog.at_level(logging.WARNING, logger=DEFAULT_LOGGER):
        first = inbox.handle([], [complaint])
        again = inbox.handle([], [complaint])
    alerts = [r for r in caplog.records if r.name == DEFAULT_LOGGER]
    assert (first.complaints, first.alerts_sent, again.complaints) == (1, 1, 0)
    assert len(alerts) == 1
    assert alerts[0].__dict__["shop_id"] == shop_id
    assert "500000001" in alerts[0].getMessage()
    assert BUYER not in alerts[0].getMessage()  # the buyer's phone never goes to an alert
    (waiting,) = inbox.inbox(shop_id)
    assert waiting.triage.category is Category.COMPLAINT
    assert (waiting.shop_id, waiting.order_code) == (shop_id, "500000001")
    assert waiting.message.text == complaint.text
    assert inbox.inbox(other_shop) == []
    assert inbox.resolve(waiting.id, shop_id)
    assert not inbox.resolve(waiting.id, shop_id)
    assert inbox.inbox(shop_id) == []
    assert [r.id for r in inbox.inbox(shop_id, waiting_only=False)] == [waiting.id]


def test_a_reply_quoting_nothing_is_matched_by_phone_and_recency(
    store: SqlStore, shop_id: int, inbox: InboxService
) -> None:
    other_shop = _second_shop(store)
    _sent(store, shop_id, "500000001", "wamid.A")
    with store.transaction() as tx:  # the other shop wrote to the buyer an hour later
        message, _ = tx.enqueue_message(_new(other_shop, "700000009"), T0)
        tx.claim_due_messages(T0 + timedelta(hours=1), "token-B", 1)
        tx.mark_message_sent(message.id, "token-B", "wamid.B", T0 + timedelta(hours=1))
    inbox.handle([], [_reply("wamid.IN1", "Когда привезут?")])
    assert inbox.inbox(shop_id) == []
    (question,) = inbox.inbox(other_shop)
    assert question.triage.category is Category.QUESTION
    assert question.order_code == "700000009"


def test_thanks_and_unmatched_messages_alert_nobody(
    store: SqlStore, shop_id: int, inbox: InboxService, caplog: pytest.LogCaptureFixture
) -> None:
    _sent(store, shop_id, "500000001", "wamid.A")
    stranger = InboundMessage("wamid.IN2", "+77015550000", T0, "всё сломано, ужас")
    with caplog.at_level(logging.WARNING, logger=DEFAULT_LOGGER):
        report = inbox.handle(
            [], [_reply("wamid.IN1", "Спасибо, всё отлично!", in_reply_to="wamid.A"), stranger]
        )
    assert (report.received, report.complaints, report.alerts_sent) == (2, 1, 0)
    assert [r for r in caplog.records if r.name == DEFAULT_LOGGER] == []
    (thanks,) = inbox.inbox(shop_id)
    assert thanks.triage.category is Category.THANKS
    (unmatched,) = inbox.inbox(None)
    assert (unmatched.triage.category, unmatched.business_number) == (Category.COMPLAINT, NUMBER)


def test_a_reply_to_one_number_is_never_matched_to_another_numbers_message(
    store: SqlStore, shop_id: int, inbox: InboxService
) -> None:
    """The buyer's latest message came from another of our numbers; the webhook names the
    number written to, so the reply is filed under it and matched to no message of the other."""
    other_number = "998877665544332"
    _sent(store, shop_id, "500000001", "wamid.A")  # from NUMBER at T0
    later = T0 + timedelta(hours=1)  # the other number's message is the buyer's latest
    with store.transaction() as tx:
        message, _ = tx.enqueue_message(
            dataclasses.replace(_new(shop_id, "600000001"), from_number=other_number), T0
        )
        tx.claim_due_messages(later, "token-X", 1)
        assert tx.mark_message_sent(message.id, "token-X", "wamid.X", later)
    reply = dataclasses.replace(_reply("wamid.IN9", "Спасибо!"), business_number="111222333444555")
    inbox.handle([], [reply])
    [stored] = inbox.inbox(None)  # matched to no shop: none of our messages is from that number
    assert (stored.business_number, stored.order_code) == ("111222333444555", None)
    # Named as the number of wamid.A, it is matched to that order, not the later one.
    to_ours = dataclasses.replace(_reply("wamid.IN10", "Спасибо!"), business_number=NUMBER)
    inbox.handle([], [to_ours])
    [matched] = inbox.inbox(shop_id)
    assert matched.order_code == "500000001"
