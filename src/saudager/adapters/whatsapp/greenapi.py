"""GREEN-API: an optional provider for sellers who drive a normal WhatsApp account through a
linked device (reference/whatsapp.md §3.1). The Cloud API stays the default: writing first to
buyers through such a gateway risks the account (``yellowCard``, bans).

GREEN-API has no approved templates, so a template message is rendered to text by the
``render`` function the wiring passes in (the messaging domain's own renderer). Its token sits
in the URL path; a filter on httpx's logger keeps it out of log lines. Webhook statuses are
mapped onto the Cloud API error codes that mean the same for us (``noAccount`` → 131026,
``yellowCard`` → 131048), so the outbox reads one set of codes; the original status is kept as
``error_title``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from saudager.adapters.whatsapp.gateway import TextGateway
from saudager.adapters.whatsapp.webhook import WebhookPayloadError
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    InboundMessage,
    StatusUpdate,
    TemplateMessage,
)

log = logging.getLogger(__name__)

GREEN_API_URL = "https://api.green-api.com"
MAX_TEXT = 20_000

#: GREEN-API status → our status and the Cloud API code with the same meaning.
_STATUS: dict[str, tuple[DeliveryStatus, int | None]] = {
    "sent": (DeliveryStatus.SENT, None),
    "delivered": (DeliveryStatus.DELIVERED, None),
    "read": (DeliveryStatus.READ, None),
    "failed": (DeliveryStatus.FAILED, 131000),
    "noAccount": (DeliveryStatus.FAILED, 131026),
    "yellowCard": (DeliveryStatus.FAILED, 131048),
    "noActiveSession": (DeliveryStatus.FAILED, 131047),
}


class _HideToken(logging.Filter):
    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(self._token in str(a) for a in record.args):
            record.args = tuple(
                str(a).replace(self._token, "***") if self._token in str(a) else a
                for a in record.args
            )
        return True


class GreenApiProvider(TextGateway):
    """One GREEN-API instance; implements ``MessagingProvider``."""

    label = "green-api"
    max_text = MAX_TEXT

    def __init__(
        self,
        id_instance: str,
        api_token: str,
        render: Callable[[TemplateMessage], str],
        *,
        api_url: str = GREEN_API_URL,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.id_instance = id_instance
        super().__init__(
            f"{api_url.rstrip('/')}/waInstance{id_instance}/sendMessage/{api_token}", render,
            log=log, timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds, transport=transport,
        )  # fmt: skip
        self._filter = _HideToken(api_token)
        logging.getLogger("httpx").addFilter(self._filter)

    def close(self) -> None:
        super().close()
        logging.getLogger("httpx").removeFilter(self._filter)

    def __repr__(self) -> str:  # never shows the token
        return f"GreenApiProvider(id_instance={self.id_instance!r})"

    def _body(self, digits: str, text: str) -> dict[str, Any]:
        return {"chatId": f"{digits}@c.us", "message": text}

    def _message_id(self, answer: Any) -> object:
        return answer["idMessage"]


def parse_green_api_webhook(body: dict[str, Any]) -> StatusUpdate | InboundMessage | None:
    """One GREEN-API webhook (already JSON) as a status or an inbound text; ``None`` for the
    kinds we do not use. Raises ``WebhookPayloadError`` when a field we need is missing."""
    kind = body.get("typeWebhook")
    if kind == "outgoingMessageStatus":
        mapped = _STATUS.get(str(body.get("status")))
        if mapped is None:
            return None
        status, code = mapped
        return StatusUpdate(
            provider_message_id=_required(body, "idMessage"),
            status=status,
            at=_at(body),
            recipient=_phone(_required(body, "chatId")),
            callback_data=None,
            error_code=code,
            error_title=str(body["status"]) if code is not None else None,
        )
    if kind == "incomingMessageReceived":
        data = body.get("messageData")
        sender = body.get("senderData")
        if not isinstance(data, dict) or not isinstance(sender, dict):
            raise WebhookPayloadError("messageData and senderData are required")
        type_message = data.get("typeMessage")
        if type_message == "textMessage":
            text_data = data.get("textMessageData")
            text = text_data.get("textMessage") if isinstance(text_data, dict) else None
        elif type_message in ("extendedTextMessage", "quotedMessage"):
            text_data = data.get("extendedTextMessageData")
            text = text_data.get("text") if isinstance(text_data, dict) else None
        else:
            return None
        if not isinstance(text, str):
            raise WebhookPayloadError("the message text is missing")
        # A reply quotes our message: ``quotedMessage.stanzaId`` (the older ``quotedMessage``
        # type also has it in ``extendedTextMessageData``).
        quoted = data.get("quotedMessage")
        quoted_id = quoted.get("stanzaId") if isinstance(quoted, dict) else None
        if quoted_id is None and isinstance(text_data, dict):
            quoted_id = text_data.get("stanzaId")
        return InboundMessage(
            provider_message_id=_required(body, "idMessage"),
            sender=_phone(_required(sender, "sender")),
            at=_at(body),
            text=text,
            in_reply_to=quoted_id if isinstance(quoted_id, str) else None,
        )
    return None


def _required(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{key} is missing")
    return value


def _phone(chat_id: str) -> str:
    digits = chat_id.split("@", 1)[0]
    if not digits.isdigit():
        raise WebhookPayloadError("not a phone chat id")
    return f"+{digits}"


def _at(body: dict[str, Any]) -> datetime:
    timestamp = body.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise WebhookPayloadError("timestamp is not Unix seconds")
    return datetime.fromtimestamp(timestamp, UTC)
