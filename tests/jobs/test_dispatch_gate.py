"""The dispatcher's gate through the real outbox on SQLite: a message never leaves outside the
shop's send window, over a cap, or to a buyer who opted out; held-back messages are not
attempts. Times are hand-picked in Asia/Almaty (UTC+5): 10:00–21:00 is 05:00–16:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.caps import CapRules
from saudager.domains.messaging.consent import OptOut, OptOutSource
from saudager.domains.messaging.provider import SendAccepted, TemplateMessage, TextMessage
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import Gate, OutboxService
from saudager.domains.messaging.setup import InstallDefaults

NUMBER = "106540352242922"
BUYER = "+77011234567"


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[datetime, TemplateMessage]] = []
        self.now = datetime(2000, 1, 1, tzinfo=UTC)

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        self.sent.append((self.now, message))
        return SendAccepted(f"wamid.{len(self.sent)}")

    def send_text(self, message: TextMessage) -> SendAccepted:
        raise AssertionError("templates only")


class Setup:
    def __init__(self, engine: Engine) -> None:
        self.store = SqlStore(engine)
        with self.store.transaction() as tx:
            self.shop_id = tx.add_shop("Shop", "Asia/Almaty", None, None).id
        self.provider = Recording()
        gate = Gate(
            self.store, InstallDefaults(time(10), time(21)), CapRules(min_gap=timedelta(hours=1))
        )
        self.outbox = OutboxService(self.store, lambda: self.provider.now, gate=gate)

    def enqueue(self, order: str, due: datetime, to: str = BUYER, kind: str = "order") -> None:
        self.outbox.enqueue(
            NewMessage(
                key=MessageKey(self.shop_id, order, kind), from_number=NUMBER, to=to,
                template="order_received_v1", language="ru", body_parameters=(order,),
                due_at=due,
            )
        )  # fmt: skip

    def dispatch_at(self, now: datetime) -> None:
        self.provider.now = now
        self.outbox.dispatch(lambda number: self.provider)

    def message(self, order: str, kind: str = "order"):  # type: ignore[no-untyped-def]
        with self.store.transaction() as tx:
            return tx.outbox_message_by_key(MessageKey(self.shop_id, order, kind))


@pytest.fixture
def setup(sqlite_engine: Engine) -> Setup:
    return Setup(sqlite_engine)


def test_a_message_due_at_night_waits_for_the_morning(setup: Setup) -> None:
    night = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 22:30 in Almaty
    setup.enqueue("1", night)
    setup.dispatch_at(night)
    waiting = setup.message("1")
    assert waiting.state is OutboxState.QUEUED and setup.provider.sent == []
    assert waiting.next_attempt_at == datetime(2026, 11, 25, 5, tzinfo=UTC)  # 10:00 next day
    assert waiting.attempts == 0  # held back, not an attempt
    setup.dispatch_at(datetime(2026, 11, 25, 4, 59, 59, tzinfo=UTC))  # 09:59:59: not yet
    assert setup.provider.sent == []
    setup.dispatch_at(datetime(2026, 11, 25, 5, tzinfo=UTC))  # 10:00:00 exactly: it goes
    assert [m.callback_data for _, m in setup.provider.sent] == [f"{setup.shop_id}:1:order"]
    assert setup.message("1").state is OutboxState.SENT


def test_the_window_closes_at_21_exactly(setup: Setup) -> None:
    closing = datetime(2026, 11, 24, 16, tzinfo=UTC)  # 21:00:00 in Almaty
    setup.enqueue("1", closing - timedelta(seconds=1))
    setup.enqueue("2", closing, to="+77019876543")
    setup.dispatch_at(closing - timedelta(seconds=1))  # 20:59:59: the first goes
    setup.dispatch_at(closing)  # 21:00:00: the second waits
    assert [m.body_parameters for _, m in setup.provider.sent] == [("1",)]
    assert setup.message("2").state is OutboxState.QUEUED


def test_the_gap_between_messages_to_one_buyer(setup: Setup) -> None:
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)
    setup.enqueue("1", noon)
    setup.enqueue("2", noon)  # another order of the same buyer
    setup.dispatch_at(noon)
    assert len(setup.provider.sent) == 1
    second = setup.message("2")
    assert second.state is OutboxState.QUEUED
    assert second.next_attempt_at == noon + timedelta(hours=1)
    setup.dispatch_at(noon + timedelta(hours=1))
    assert len(setup.provider.sent) == 2


def test_at_most_two_messages_per_order(setup: Setup) -> None:
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)
    for number, kind in enumerate(("order", "review", "extra")):
        setup.enqueue("1", noon + timedelta(hours=2 * number), kind=kind)
        setup.dispatch_at(noon + timedelta(hours=2 * number))
    assert len(setup.provider.sent) == 2
    third = setup.message("1", "extra")
    assert third.state is OutboxState.CANCELLED and "order_cap" in (third.last_error or "")


def test_an_opted_out_buyer_gets_nothing_from_any_shop(setup: Setup) -> None:
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)
    with setup.store.transaction() as tx:
        other = tx.add_shop("Other shop", "Asia/Almaty", None, None).id
        tx.record_opt_out(
            OptOut(phone=BUYER, business_number=NUMBER, at=noon - timedelta(days=1),
                   source=OptOutSource.KEYWORD, shop_id=other),
            noon,
        )  # fmt: skip
    setup.enqueue("1", noon)
    setup.dispatch_at(noon)
    assert setup.provider.sent == []
    assert setup.message("1").state is OutboxState.CANCELLED


def test_a_paused_shop_sends_nothing_and_its_neighbour_on_the_number_goes_on(
    setup: Setup,
) -> None:
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)
    with setup.store.transaction() as tx:
        other = tx.add_shop("Other shop", "Asia/Almaty", None, None).id
        assert tx.pause_shop(setup.shop_id, "the seller is on holiday", noon)
        assert not tx.pause_shop(setup.shop_id, "again", noon)  # the first pause is kept
    setup.enqueue("1", noon)
    neighbour = Setup.__new__(Setup)
    neighbour.store, neighbour.shop_id, neighbour.provider, neighbour.outbox = (
        setup.store, other, setup.provider, setup.outbox,
    )  # fmt: skip
    neighbour.enqueue("2", noon, to="+77019876543")
    setup.dispatch_at(noon)
    assert [m.body_parameters for _, m in setup.provider.sent] == [("2",)]
    paused = setup.message("1")
    assert paused.state is OutboxState.CANCELLED and "paused" in (paused.last_error or "")
    with setup.store.transaction() as tx:
        assert tx.resume_shop(setup.shop_id) and not tx.resume_shop(setup.shop_id)
    setup.enqueue("3", noon + timedelta(hours=2), to="+77015550000")
    setup.dispatch_at(noon + timedelta(hours=2))
    assert len(setup.provider.sent) == 2


def test_a_message_held_past_three_days_is_stale_and_cancelled(setup: Setup) -> None:
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)
    setup.enqueue("1", noon - timedelta(days=3))  # exactly three days: still news
    setup.enqueue("2", noon - timedelta(days=3, seconds=1), to="+77019876543")
    setup.dispatch_at(noon)
    assert [m.body_parameters for _, m in setup.provider.sent] == [("1",)]
    stale = setup.message("2")
    assert stale.state is OutboxState.CANCELLED and "stale" in (stale.last_error or "")
    assert stale.attempts == 0
