"""What the seller is told about messaging, through the quality module's notifiers: a buyer's
complaint, and a business number that WhatsApp stopped.

Each alert is sent **at least once and recorded once sent** (the ``alerts_sent`` log, keyed by
the condition and its episode, as the quality alerts are): a complaint alerts as soon as its
webhook has been answered, and a sweep (:meth:`MessagingAlerts.send_pending`, run with every
dispatch pass, each minute in the worker) sends whatever is not in the log yet — the alert of a
process that died after answering the webhook, one that no channel took, a number stopped by
the dispatcher. An alert that no channel took is not recorded, so the next sweep tries again.

- **complaint** — a buyer's message triaged as a complaint and matched to a shop, received at
  most :data:`COMPLAINT_ALERTS_WITHIN` ago (older ones wait in the inbox without an alert): a
  warning keyed by the inbound message. It names the order and the rule that decided, never
  the buyer's phone or words (alert texts go to chats and logs).
- **number stopped** — the provider refused a send with a block or quality signal (131048,
  368, 131031: ``outbox.NUMBER_STOPPING``) and the dispatcher stopped the number: a critical
  alert to every shop that writes from it, keyed by the number and the instant it stopped,
  saying why and what to do. Nothing leaves the number until the seller resumes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.records import NumberStop
from saudager.domains.messaging.triage import Category, Triage
from saudager.domains.quality.alerts import Alert, AlertKind, Language, Severity
from saudager.domains.quality.ports import Notifier, deliver
from saudager.domains.quality.records import SentAlert

#: Complaints received this long ago or later are alerted when their alert is still unsent.
COMPLAINT_ALERTS_WITHIN = timedelta(days=7)

_COMPLAINT_TEXTS = {
    Language.RU: (
        "Жалоба покупателя: заказ {order}",
        "Покупатель ответил на сообщение по заказу {order}, ответ похож на жалобу "
        "(правило: {matched}).\nОтветьте ему до того, как он оставит отзыв: ответ ждёт во "
        "входящих WhatsApp.",
    ),
    Language.EN: (
        "Buyer complaint: order {order}",
        "The buyer answered our message about order {order}, and the answer reads as a "
        "complaint (rule: {matched}).\nAnswer before they write a review: the message waits in "
        "the WhatsApp inbox.",
    ),
}

_STOP_TEXTS = {
    Language.RU: (
        "WhatsApp остановил номер {number}",
        "Сообщения покупателям с номера {number} остановлены для всех магазинов на нём: "
        "WhatsApp отказал в отправке ({reason}). Проверьте номер и аккаунт в WhatsApp Manager "
        "(рейтинг качества, ограничения), затем включите отправку: "
        "saudager messages number-resume {number}.",
    ),
    Language.EN: (
        "WhatsApp stopped the number {number}",
        "Messages to buyers from {number} are stopped for every shop on it: WhatsApp refused "
        "to send ({reason}). Check the number and the account in WhatsApp Manager (quality "
        "rating, restrictions), then turn sending on again: "
        "saudager messages number-resume {number}.",
    ),
}


def _decided_by(triage: Triage) -> str:
    return ", ".join(triage.matched) or triage.category.value


def complaint_alert(record: InboundRecord, now: datetime, language: Language) -> Alert:
    """The seller's alert about a complaint matched to ``record.shop_id``; keyed by the
    inbound message, so each complaint alerts once."""
    assert record.shop_id is not None
    order = record.order_code or "?"
    title, text = _COMPLAINT_TEXTS[language]
    return Alert(
        shop_id=record.shop_id,
        kind=AlertKind.WARNING,
        severity=Severity.WARNING,
        subject=f"whatsapp_complaint:{order}",
        episode=record.message.provider_message_id,
        raised_at=now,
        language=language,
        title=title.format(order=order),
        text=text.format(order=order, matched=_decided_by(record.triage)),
        order_code=record.order_code,
    )


def number_stop_alert(shop_id: int, stop: NumberStop, now: datetime, language: Language) -> Alert:
    """The alert of one shop writing from a stopped number; keyed by the stop's instant, so a
    number stopped again after a resume alerts again."""
    title, text = _STOP_TEXTS[language]
    return Alert(
        shop_id=shop_id,
        kind=AlertKind.CRITICAL,
        severity=Severity.CRITICAL,
        subject=f"whatsapp_number:{stop.number}",
        episode=stop.stopped_at.isoformat(),
        raised_at=now,
        language=language,
        title=title.format(number=stop.number),
        text=text.format(number=stop.number, reason=stop.reason),
    )


class AlertsTx(Protocol):
    def sent_alert_keys(self, shop_id: int) -> set[str]: ...

    def record_alert(self, shop_id: int, alert: SentAlert) -> bool: ...

    def number_stops(self) -> list[NumberStop]: ...

    def shops_writing_from(self, number: str) -> list[int]: ...

    def complaints_since(self, since: datetime) -> list[InboundRecord]: ...


class AlertsStore(Protocol):
    def transaction(self) -> AbstractContextManager[AlertsTx]: ...

    def reading(self) -> AbstractContextManager[AlertsTx]: ...


class MessagingAlerts:
    def __init__(
        self,
        store: AlertsStore,
        notifier: Notifier,
        clock: Callable[[], datetime],
        language: Language = Language.RU,
    ) -> None:
        self._store = store
        self._notifier = notifier
        self._clock = clock
        self.language = language

    def pending(self) -> list[Alert]:
        """Every messaging alert the state calls for that is not in the log yet."""
        now = self._clock()
        candidates: list[Alert] = []
        with self._store.reading() as tx:
            for record in tx.complaints_since(now - COMPLAINT_ALERTS_WITHIN):
                if record.shop_id is not None and record.triage.category is Category.COMPLAINT:
                    candidates.append(complaint_alert(record, now, self.language))
            for stop in tx.number_stops():
                for shop_id in tx.shops_writing_from(stop.number):
                    candidates.append(number_stop_alert(shop_id, stop, now, self.language))
            sent = {
                shop_id: tx.sent_alert_keys(shop_id)
                for shop_id in {alert.shop_id for alert in candidates}
            }
        return [alert for alert in candidates if alert.key not in sent[alert.shop_id]]

    def was_sent(self, alert: Alert) -> bool:
        with self._store.reading() as tx:
            return alert.key in tx.sent_alert_keys(alert.shop_id)

    def send_pending(self) -> list[Alert]:
        """Send and record each pending alert; returns those sent now."""
        return self.send(self.pending())

    def send(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Send each alert not in the log and record it; one no channel took stays unrecorded
        for the next sweep. Never raises for a channel's failure."""
        delivered: list[Alert] = []
        for alert in alerts:
            with self._store.reading() as tx:
                if alert.key in tx.sent_alert_keys(alert.shop_id):
                    continue
            if not deliver(self._notifier, alert):
                continue
            with self._store.transaction() as tx:
                tx.record_alert(
                    alert.shop_id,
                    SentAlert(
                        key=alert.key, kind=str(alert.kind), text=alert.text,
                        sent_at=self._clock(),
                    ),
                )  # fmt: skip
            delivered.append(alert)
        return delivered
