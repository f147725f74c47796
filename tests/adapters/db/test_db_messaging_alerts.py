"""Messaging alerts on SQLite and PostgreSQL: a complaint whose alert was lost (a process that
died after answering the webhook, a channel that refused) is sent by the next sweep, once; a
number the dispatcher stopped alerts every shop writing from it, once per stop."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.alerts import COMPLAINT_ALERTS_WITHIN, MessagingAlerts
from saudager.domains.messaging.inbox import InboxService
from saudager.domains.messaging.provider import InboundMessage, RefusalKind
from saudager.domains.messaging.records import MessageKey, NewMessage
from saudager.domains.messaging.service import OutboxService
from saudager.domains.quality.alerts import Alert, AlertKind
from saudager.domains.quality.ports import NotifyError

if TYPE_CHECKING:
    from conftest import Clock  # the fixture's type; not imported at run time

NUMBER = "123456789012345"
BUYER = "+77011234567"


class Channel:
    """A notification channel that records what it took, or refuses while ``down``."""

    def __init__(self) -> None:
        self.taken: list[Alert] = []
        self.down = False

    def send(self, alert: Alert) -> None:
        if self.down:
            raise NotifyError("the chat is unreachable")
        self.taken.append(alert)


def _sent(store: SqlStore, shop_id: int, order: str, wamid: str, at: datetime) -> None:
    with store.transaction() as tx:
        message, _ = tx.enqueue_message(
            NewMessage(
                key=MessageKey(shop_id, order, "message_2"), from_number=NUMBER, to=BUYER,
                template="order_delivered_review_v1", language="ru",
                body_parameters=("Айгерим", order), due_at=at,
            ),
            at,
        )  # fmt: skip
        tx.claim_due_messages(at, f"token-{wamid}", 1)
        assert tx.mark_message_sent(message.id, f"token-{wamid}", wamid, at)


def _complaint(wamid: str, answers: str, at: datetime) -> InboundMessage:
    return InboundMessage(
        provider_message_id=wamid, sender=BUYER, at=at, text="Пришёл сломанный чайник",
        in_reply_to=answers,
    )  # fmt: skip


def test_a_complaint_alert_lost_or_refused_is_sent_by_the_sweep_once(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    channel = Channel()
    alerts = MessagingAlerts(store, channel, clock)
    inbox = InboxService(store, OutboxService(store, clock), alerts, clock, business_number=NUMBER)
    _sent(store, shop_id, "500000001", "wamid.A", clock.now)
    _sent(store, shop_id, "500000002", "wamid.B", clock.now)
    # The webhook was answered, then the process died before the alert: deferred, never sent.
    lost = inbox.handle([], [_complaint("wamid.IN1", "wamid.A", clock.now)], defer_alerts=True)
    assert lost.complaints == 1 and channel.taken == []
    # The chat is down when the next complaint comes: refused, not recorded.
    channel.down = True
    refused = inbox.handle([], [_complaint("wamid.IN2", "wamid.B", clock.now)])
    assert (refused.alerts_sent, refused.alerts_failed) == (0, 1)
    assert alerts.send_pending() == []  # still down: nothing recorded
    channel.down = False
    swept = alerts.send_pending()
    assert sorted(a.order_code or "" for a in swept) == ["500000001", "500000002"]
    assert [a.kind for a in channel.taken] == [AlertKind.WARNING, AlertKind.WARNING]
    assert alerts.send_pending() == [] and len(channel.taken) == 2  # once
    assert all(BUYER not in a.text for a in channel.taken)


def test_a_complaint_older_than_the_alert_window_waits_in_the_inbox_unalerted(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    channel = Channel()
    channel.down = True
    alerts = MessagingAlerts(store, channel, clock)
    inbox = InboxService(store, OutboxService(store, clock), alerts, clock, business_number=NUMBER)
    _sent(store, shop_id, "500000001", "wamid.A", clock.now)
    inbox.handle([], [_complaint("wamid.IN1", "wamid.A", clock.now)])
    channel.down = False
    clock.advance(seconds=COMPLAINT_ALERTS_WITHIN.total_seconds())  # exactly: still alerted
    assert len(alerts.pending()) == 1
    clock.advance(microseconds=1)
    assert alerts.pending() == []


def test_a_stopped_number_alerts_every_shop_on_it_once_per_stop(
    store: SqlStore, shop_id: int, clock: Clock
) -> None:
    channel = Channel()
    alerts = MessagingAlerts(store, channel, clock)
    with store.transaction() as tx:
        other = tx.add_shop("Second shop", "Asia/Almaty", None, None).id
        tx.add_shop("Quiet shop", "Asia/Almaty", None, None)  # writes from no number
    _sent(store, shop_id, "500000001", "wamid.A", clock.now)
    _sent(store, other, "700000001", "wamid.B", clock.now)
    with store.transaction() as tx:
        tx.stop_number(NUMBER, RefusalKind.NUMBER_BLOCKED, "131048: spam rate limit hit", clock.now)
    sent = alerts.send_pending()
    assert sorted(a.shop_id for a in sent) == sorted([shop_id, other])
    assert all(a.kind is AlertKind.CRITICAL and "131048" in a.text for a in sent)
    assert f"number-resume {NUMBER}" in sent[0].text
    assert alerts.send_pending() == []
    # Resumed, then stopped again later: a new episode, alerted again.
    with store.transaction() as tx:
        assert tx.resume_number(NUMBER)
        tx.stop_number(
            NUMBER, RefusalKind.NUMBER_BLOCKED, "368: restricted", clock.advance(hours=1)
        )
    assert len(alerts.send_pending()) == 2 and len(channel.taken) == 4
