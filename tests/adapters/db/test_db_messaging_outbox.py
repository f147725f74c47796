"""The outbox on SQLite and PostgreSQL: idempotent enqueue, claims, outcomes, status events,
stopped numbers, reconciliation — through ``OutboxService`` with a scripted provider."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from conftest import Clock
from saudager.adapters.db import tables as t
from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.outbox import RetryPolicy
from saudager.domains.messaging.ports import ProviderLookup
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    MessagingProvider,
    OutcomeUnknown,
    RefusalKind,
    SendAccepted,
    SendRefused,
    StatusUpdate,
    TemplateMessage,
    TextMessage,
)
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import OutboxService

NUMBER = "+77270001122"
POLICY = RetryPolicy(max_attempts=3, base_seconds=60, cap_seconds=600, jitter=0.5)

Outcome = SendAccepted | SendRefused | OutcomeUnknown


class ScriptedProvider:
    """Answers each send with the next scripted outcome; records every request it got."""

    def __init__(self, *outcomes: Outcome) -> None:
        self._outcomes: Iterator[Outcome] = iter(outcomes)
        self._ids = itertools.count(1)
        self.received: list[TemplateMessage] = []

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        self.received.append(message)
        outcome = next(self._outcomes, None) or SendAccepted(f"wamid.{next(self._ids)}")
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def send_text(self, message: TextMessage) -> SendAccepted:
        raise AssertionError("the outbox sends templates")


def _provider(provider: MessagingProvider) -> ProviderLookup:
    return lambda number: provider if number == NUMBER else None


def _new(
    shop_id: int,
    order: str = "512345678",
    kind: str = "order_received",
    *,
    due_at: datetime = datetime(2025, 8, 25, 6, 0, tzinfo=UTC),
    from_number: str = NUMBER,
    to: str = "+77011234567",
    template: str = "order_received_v1",
) -> NewMessage:
    return NewMessage(
        key=MessageKey(shop_id, order, kind),
        from_number=from_number,
        to=to,
        template=template,
        language="ru",
        body_parameters=("Айгерим", order),
        due_at=due_at,
    )


@pytest.fixture
def service(store: SqlStore, clock: Clock) -> OutboxService:
    return OutboxService(store, clock, policy=POLICY, draw=lambda: 0.0)


def _status(
    pid: str, status: DeliveryStatus, minute: int, callback: str | None = None
) -> StatusUpdate:
    at = datetime(2025, 8, 25, 6, minute, tzinfo=UTC)
    return StatusUpdate(pid, status, at, "+77011234567", callback)


def test_enqueueing_the_same_key_twice_keeps_one_row(
    store: SqlStore, service: OutboxService, shop_id: int
) -> None:
    first, created = service.enqueue(_new(shop_id))
    again, created_again = service.enqueue(_new(shop_id, template="other", to="+77019999999"))
    assert created, "the first enqueue adds the row"
    assert not created_again
    assert again == first  # the first row, unchanged
    assert first.state == OutboxState.QUEUED and first.attempts == 0
    assert first.body_parameters == ("Айгерим", "512345678")
    service.enqueue(_new(shop_id, kind="review_request"))
    with store.transaction() as tx:
        assert len(tx.outbox_messages(shop_id)) == 2


def test_a_message_is_not_claimed_before_it_is_due(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    service.enqueue(_new(shop_id, due_at=clock.now + timedelta(hours=1)))
    provider = ScriptedProvider()
    assert service.dispatch(_provider(provider)).claimed == 0
    clock.advance(hours=1)
    report = service.dispatch(_provider(provider))
    assert (report.claimed, report.sent) == (1, 1)


def test_accepted_becomes_sent_with_the_provider_id(
    store: SqlStore, service: OutboxService, shop_id: int
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    provider = ScriptedProvider(SendAccepted("wamid.A"))
    service.dispatch(_provider(provider))
    assert [m.callback_data for m in provider.received] == [f"{shop_id}:512345678:order_received"]
    with store.transaction() as tx:
        sent = tx.outbox_message(message.id)
    assert sent is not None
    assert (sent.state, sent.provider_message_id, sent.attempts) == (OutboxState.SENT, "wamid.A", 1)
    # Sent is final: nothing claims it again.
    assert service.dispatch(_provider(provider)).claimed == 0
    assert len(provider.received) == 1


def test_retryable_refusals_back_off_then_give_up_with_the_reason(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    refused = SendRefused(RefusalKind.RATE_LIMITED, "rate limit hit", code=130429)
    provider = ScriptedProvider(refused, refused, refused)
    start = clock.now
    assert service.dispatch(_provider(provider)).retrying == 1
    with store.transaction() as tx:
        queued = tx.outbox_message(message.id)
    assert queued is not None and queued.state == OutboxState.QUEUED
    assert queued.next_attempt_at == start + timedelta(seconds=60)
    assert queued.last_error == "rate_limited (code 130429): rate limit hit"
    assert service.dispatch(_provider(provider)).claimed == 0  # waits for its time
    clock.advance(seconds=60)
    service.dispatch(_provider(provider))
    with store.transaction() as tx:
        second = tx.outbox_message(message.id)
    assert second is not None and second.next_attempt_at == clock.now + timedelta(seconds=120)
    clock.advance(seconds=120)
    assert service.dispatch(_provider(provider)).failed == 1
    with store.transaction() as tx:
        failed = tx.outbox_message(message.id)
    assert failed is not None
    assert (failed.state, failed.attempts) == (OutboxState.FAILED, 3)
    assert failed.last_error is not None and failed.last_error.startswith("gave up after 3")
    assert len(provider.received) == 3


def test_a_refusal_that_is_not_retryable_fails_at_once(
    store: SqlStore, service: OutboxService, shop_id: int
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    provider = ScriptedProvider(SendRefused(RefusalKind.TEMPLATE_UNUSABLE, "no such template"))
    assert service.dispatch(_provider(provider)).failed == 1
    with store.transaction() as tx:
        failed = tx.outbox_message(message.id)
        assert tx.number_stops() == []
    assert failed is not None and failed.state == OutboxState.FAILED
    assert failed.last_error == "template_unusable: no such template"


def test_a_blocked_number_stops_and_its_other_messages_wait(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    service.enqueue(_new(shop_id, order="1"))
    second, _ = service.enqueue(_new(shop_id, order="2"))
    blocked = SendRefused(RefusalKind.NUMBER_BLOCKED, "spam rate limit hit", code=131048)
    provider = ScriptedProvider(blocked)
    report = service.dispatch(_provider(provider))
    assert (report.claimed, report.failed, report.numbers_stopped) == (1, 1, [NUMBER])
    with store.transaction() as tx:
        (stop,) = tx.number_stops()
        waiting = tx.outbox_message(second.id)
    assert (stop.number, stop.kind) == (NUMBER, RefusalKind.NUMBER_BLOCKED)
    assert "131048" in stop.reason
    assert waiting is not None and waiting.state == OutboxState.QUEUED
    with store.transaction() as tx:
        assert tx.resume_number(NUMBER)
    assert service.dispatch(_provider(provider)).sent == 1


def test_no_answer_is_unknown_and_never_resent(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    provider = ScriptedProvider(OutcomeUnknown("read timeout"))
    assert service.dispatch(_provider(provider)).unknown == 1
    clock.advance(days=1)
    assert service.dispatch(_provider(provider)).claimed == 0
    # The status webhook, carrying our callback data, settles it.
    settled = service.record_status(
        _status("wamid.Z", DeliveryStatus.DELIVERED, 5, message.callback_data)
    )
    assert settled is not None
    assert (settled.state, settled.provider_message_id) == (OutboxState.SENT, "wamid.Z")
    assert settled.delivery_status == DeliveryStatus.DELIVERED
    assert len(provider.received) == 1


def test_a_stale_claim_is_reconciled_to_unknown_or_settled_by_its_webhook(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    a, _ = service.enqueue(_new(shop_id, order="1"))
    b, _ = service.enqueue(_new(shop_id, order="2"))
    with store.transaction() as tx:  # a dispatcher claims both, then dies
        assert len(tx.claim_due_messages(clock.now, "dead", 10)) == 2
    service.record_status(_status("wamid.B", DeliveryStatus.SENT, 1, b.callback_data))
    clock.advance(minutes=5)
    assert service.reconcile(timedelta(minutes=10)).marked_unknown == 0  # not stale yet
    clock.advance(minutes=6)
    assert service.reconcile(timedelta(minutes=10)).marked_unknown == 1
    with store.transaction() as tx:
        after_a, after_b = tx.outbox_message(a.id), tx.outbox_message(b.id)
        # The dead dispatcher's late answer still lands on its own claim.
        assert tx.mark_message_sent(a.id, "dead", "wamid.A", clock.now)
        assert not tx.mark_message_sent(a.id, "other", "wamid.X", clock.now)
    assert after_a is not None and after_a.state == OutboxState.UNKNOWN
    assert after_b is not None and after_b.state == OutboxState.SENT
    assert service.dispatch(_provider(ScriptedProvider())).claimed == 0


def test_a_claim_token_guards_every_outcome(store: SqlStore, shop_id: int, clock: Clock) -> None:
    with store.transaction() as tx:
        message, _ = tx.enqueue_message(_new(shop_id), clock.now)
        (claimed,) = tx.claim_due_messages(clock.now, "mine", 5)
        assert (claimed.state, claimed.claim_token, claimed.attempts) == (
            OutboxState.CLAIMED,
            "mine",
            1,
        )
        assert tx.claim_due_messages(clock.now, "theirs", 5) == []
        assert not tx.fail_message(message.id, "theirs", "x", clock.now)
        assert not tx.requeue_message(message.id, "theirs", clock.now, "x", clock.now)
        assert not tx.cancel_message(message.id, "claimed already", clock.now)
        assert tx.fail_message(message.id, "mine", "x", clock.now)
        assert not tx.mark_message_sent(message.id, "mine", "wamid.late", clock.now)


def test_a_queued_message_can_be_cancelled(
    store: SqlStore, service: OutboxService, shop_id: int, clock: Clock
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    with store.transaction() as tx:
        assert tx.cancel_message(message.id, "the order was cancelled", clock.now)
    assert service.dispatch(_provider(ScriptedProvider())).claimed == 0


@pytest.mark.parametrize(
    "order",
    [
        ["sent", "delivered", "read"],
        ["read", "delivered", "sent"],
        ["delivered", "read", "read", "sent", "delivered"],
        ["read", "read", "read"],
    ],
)
def test_statuses_in_any_order_and_duplicated_keep_the_latest_by_rank(
    store: SqlStore, service: OutboxService, shop_id: int, order: list[str]
) -> None:
    message, _ = service.enqueue(_new(shop_id))
    service.dispatch(_provider(ScriptedProvider(SendAccepted("wamid.A"))))
    for minute, status in enumerate(order, start=1):
        # Meta sends the callback data with the statuses; some providers do not.
        callback = message.callback_data if minute % 2 else None
        service.record_status(_status("wamid.A", DeliveryStatus(status), minute, callback))
    with store.transaction() as tx:
        final = tx.outbox_message(message.id)
        events = tx._conn.execute(  # one row per (message, status), however often received
            t.message_status_events.select()
        ).all()
    assert final is not None and final.delivery_status == DeliveryStatus.READ
    assert final.delivery_status_at == datetime(2025, 8, 25, 6, order.index("read") + 1, tzinfo=UTC)
    assert len(events) == len(set(order))


def test_a_status_before_the_send_is_recorded_applies_once_the_id_is_known(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    with store.transaction() as tx:
        message, _ = tx.enqueue_message(_new(shop_id), clock.now)
        tx.claim_due_messages(clock.now, "tok", 1)
        # A webhook with no callback data, faster than our own record of the send.
        assert tx.record_status(_status("wamid.F", DeliveryStatus.DELIVERED, 1), clock.now) is None
        assert tx.mark_message_sent(message.id, "tok", "wamid.F", clock.now)
        sent = tx.outbox_message(message.id)
    assert sent is not None and sent.delivery_status == DeliveryStatus.DELIVERED


def test_a_failed_status_outranks_the_rest(
    store: SqlStore, service: OutboxService, shop_id: int
) -> None:
    service.enqueue(_new(shop_id))
    service.dispatch(_provider(ScriptedProvider(SendAccepted("wamid.A"))))
    service.record_status(_status("wamid.A", DeliveryStatus.READ, 2))
    failed = StatusUpdate(
        "wamid.A", DeliveryStatus.FAILED, datetime(2025, 8, 25, 6, 3, tzinfo=UTC),
        "+77011234567", None, error_code=131026, error_title="Message undeliverable",
    )  # fmt: skip
    final = service.record_status(failed)
    assert final is not None and final.delivery_status == DeliveryStatus.FAILED
    assert final.state == OutboxState.SENT  # it was sent; delivery failed


def test_a_missing_provider_fails_the_message_visibly(
    store: SqlStore, service: OutboxService, shop_id: int
) -> None:
    message, _ = service.enqueue(_new(shop_id, from_number="+77270009999"))
    assert service.dispatch(_provider(ScriptedProvider())).failed == 1
    with store.transaction() as tx:
        failed = tx.outbox_message(message.id)
    assert failed is not None and failed.last_error == "no provider for +77270009999"


@pytest.mark.postgres
def test_concurrent_claims_on_postgresql_take_different_messages(
    clean_postgres_engine: Engine, clock: Clock
) -> None:
    store = SqlStore(clean_postgres_engine, clock=clock)
    with store.transaction() as tx:
        shop_id = tx.add_shop("Shop", "Asia/Almaty", None, None).id
        for order in ("1", "2", "3"):
            tx.enqueue_message(_new(shop_id, order), clock.now)
    with store.transaction() as first:
        (mine,) = first.claim_due_messages(clock.now, "first", 1)
        # Still uncommitted: the second dispatcher skips the locked row instead of waiting.
        with store.transaction() as second:
            theirs = second.claim_due_messages(clock.now, "second", 5)
    assert mine.key.order_code == "1"
    assert [m.key.order_code for m in theirs] == ["2", "3"]
