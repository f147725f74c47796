"""WAHA: an optional provider for sellers who self-host WAHA (WhatsApp Web engines in Docker;
reference/whatsapp.md §3.2). Like GREEN-API it drives a normal account, so the Cloud API stays
the default; WAHA's own guidance is to reply, never to write first.

WAHA has no approved templates: a template message is rendered to text by the ``render``
function the wiring passes in. Webhooks carry ``X-Webhook-Hmac``, hex HMAC-SHA512 of the raw
body with the session's key, checked here in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from saudager.adapters.whatsapp.gateway import TextGateway
from saudager.adapters.whatsapp.webhook import WebhookPayloadError, WebhookSignatureError
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    InboundMessage,
    StatusUpdate,
    TemplateMessage,
)

log = logging.getLogger(__name__)

HMAC_HEADER = "X-Webhook-Hmac"

#: ``payload.ack`` of ``message.ack``: −1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED.
_ACK: dict[int, DeliveryStatus] = {
    -1: DeliveryStatus.FAILED,
    1: DeliveryStatus.SENT,
    2: DeliveryStatus.DELIVERED,
    3: DeliveryStatus.READ,
    4: DeliveryStatus.READ,
}


class WahaProvider(TextGateway):
    """One WAHA session; implements ``MessagingProvider``."""

    label = "waha"
    accepted = (200, 201)

    def __init__(
        self,
        base_url: str,
        api_key: str,
        render: Callable[[TemplateMessage], str],
        *,
        session: str = "default",
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.session = session
        super().__init__(
            f"{base_url.rstrip('/')}/api/sendText", render, log=log,
            headers={"X-Api-Key": api_key}, timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds, transport=transport,
        )  # fmt: skip

    def __repr__(self) -> str:  # never shows the key
        return f"WahaProvider(session={self.session!r})"

    def _body(self, digits: str, text: str) -> dict[str, Any]:
        return {"session": self.session, "chatId": f"{digits}@c.us", "text": text,
                "linkPreview": False}  # fmt: skip

    def _message_id(self, answer: Any) -> object:
        found = answer["id"]
        # Some engines answer {"id": {"_serialized": …}}.
        return found.get("_serialized") if isinstance(found, dict) else found


def waha_signature(raw_body: bytes, key: str) -> str:
    """``X-Webhook-Hmac`` for a body: hex HMAC-SHA512 with the webhook's key."""
    return hmac.new(key.encode(), raw_body, hashlib.sha512).hexdigest()


def parse_waha_webhook(
    raw_body: bytes, signature: str | None, key: str
) -> StatusUpdate | InboundMessage | None:
    """Check ``X-Webhook-Hmac`` over the raw bytes, then read a ``message`` (a buyer's text)
    or ``message.ack`` (a status of ours); ``None`` for other events, our own messages,
    groups and PENDING acks. Raises ``WebhookSignatureError`` or ``WebhookPayloadError``."""
    if not key:
        raise WebhookSignatureError("no webhook key configured")
    expected = waha_signature(raw_body, key)
    if not signature or not hmac.compare_digest(signature.strip().lower(), expected):
        raise WebhookSignatureError(f"{HMAC_HEADER} is missing or does not match the body")
    try:
        event = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"body is not JSON: {exc}") from exc
    if not isinstance(event, dict) or not isinstance(event.get("payload"), dict):
        raise WebhookPayloadError("not a WAHA event")
    payload: dict[str, Any] = event["payload"]
    kind = event.get("event")
    if kind == "message.ack":
        ack = payload.get("ack")
        status = _ACK.get(ack) if isinstance(ack, int) else None
        if status is None or not payload.get("fromMe", True):
            return None
        recipient = _phone(payload.get("to"))
        return StatusUpdate(
            provider_message_id=_id(payload),
            status=status,
            at=_at(payload, event),
            recipient=recipient or "",
            callback_data=None,
            error_code=131000 if status is DeliveryStatus.FAILED else None,
            error_title=str(payload.get("ackName")) if status is DeliveryStatus.FAILED else None,
        )
    if kind == "message":
        sender = _phone(payload.get("from"))
        text = payload.get("body")
        if payload.get("fromMe") or sender is None or not isinstance(text, str) or not text:
            return None
        reply_to = payload.get("replyTo")
        quoted = reply_to.get("id") if isinstance(reply_to, dict) else None
        return InboundMessage(
            provider_message_id=_id(payload),
            sender=sender,
            at=_at(payload, event),
            text=text,
            in_reply_to=quoted if isinstance(quoted, str) and quoted else None,
        )
    return None


def _id(payload: dict[str, Any]) -> str:
    value = payload.get("id")
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError("payload.id is missing")
    return value


def _phone(chat_id: object) -> str | None:
    """``77011234567@c.us`` → ``+77011234567``; groups and ``@lid`` ids give ``None``."""
    if not isinstance(chat_id, str) or not chat_id.endswith("@c.us"):
        return None
    digits = chat_id.removesuffix("@c.us")
    return f"+{digits}" if digits.isdigit() else None


def _at(payload: dict[str, Any], event: dict[str, Any]) -> datetime:
    seconds = payload.get("timestamp")
    if isinstance(seconds, int) and not isinstance(seconds, bool):
        return datetime.fromtimestamp(seconds, UTC)
    millis = event.get("timestamp")
    if isinstance(millis, int) and not isinstance(millis, bool):
        return datetime.fromtimestamp(millis / 1000, UTC)
    raise WebhookPayloadError("no timestamp")
