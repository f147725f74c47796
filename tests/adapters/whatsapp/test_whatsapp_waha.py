"""The optional WAHA provider over an httpx transport, and its signed webhooks
(reference/whatsapp.md §3.2)."""

from __future__ import annotations

import json

import httpx
import pytest
from whatsapp_test_helpers import BUYER, answering, template

from saudager.adapters.whatsapp.waha import WahaProvider, parse_waha_webhook, waha_signature
from saudager.adapters.whatsapp.webhook import WebhookPayloadError, WebhookSignatureError
from saudager.domains.messaging.provider import (
    DeliveryStatus,
    InboundMessage,
    OutcomeUnknown,
    RefusalKind,
    SendRefused,
    StatusUpdate,
    TemplateMessage,
    TextMessage,
)

KEY = "my-secret-key"


def render(message: TemplateMessage) -> str:
    return " / ".join(message.body_parameters)


def waha(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> WahaProvider:
    transport = answering(answer, seen)
    return WahaProvider("http://waha.local:3000", "api-key-1", render, transport=transport)


def test_send_text_shape_and_id() -> None:
    seen: list[httpx.Request] = []
    answer = httpx.Response(201, json={"id": "true_77011234567@c.us_3EB0AB", "ack": 1})
    with waha(answer, seen) as provider:
        accepted = provider.send_template(template(parameters=("a", "b", "c", "d")))
    assert accepted.provider_message_id == "true_77011234567@c.us_3EB0AB"
    [request] = seen
    assert request.url == "http://waha.local:3000/api/sendText"
    assert request.headers["X-Api-Key"] == "api-key-1"
    assert json.loads(request.content) == {
        "session": "default", "chatId": "77011234567@c.us", "text": "a / b / c / d",
        "linkPreview": False,
    }  # fmt: skip


def test_errors_and_transport_failures() -> None:
    with waha(httpx.Response(429), []) as provider, pytest.raises(SendRefused) as refused:
        provider.send_text(TextMessage(BUYER, "hi", "k"))
    assert refused.value.kind is RefusalKind.RATE_LIMITED
    with waha(httpx.Response(401), []) as provider, pytest.raises(SendRefused) as refused:
        provider.send_text(TextMessage(BUYER, "hi", "k"))
    assert refused.value.kind is RefusalKind.AUTH_FAILED
    with waha(httpx.ConnectError("no"), []) as provider, pytest.raises(SendRefused) as refused:
        provider.send_text(TextMessage(BUYER, "hi", "k"))
    assert refused.value.retryable
    with waha(httpx.RemoteProtocolError("cut"), []) as provider, pytest.raises(OutcomeUnknown):
        provider.send_text(TextMessage(BUYER, "hi", "k"))


def test_documented_hmac_vector() -> None:
    body = b'{"event":"message","session":"default","engine":"WEBJS"}'
    signature = waha_signature(body, KEY)
    assert signature.startswith("208f8a55") and signature.endswith("153fa89")


def signed(event: dict[str, object]) -> tuple[bytes, str]:
    raw = json.dumps(event, ensure_ascii=False).encode()
    return raw, waha_signature(raw, KEY)


def test_inbound_reply_and_ack() -> None:
    raw, sig = signed({
        "id": "evt_01", "timestamp": 1749416383000, "event": "message", "session": "default",
        "payload": {"id": "false_77011234567@c.us_AAA", "timestamp": 1749416383,
                    "from": "77011234567@c.us", "fromMe": False, "body": "Спасибо, всё пришло",
                    "replyTo": {"id": "true_77011234567@c.us_3EB0AB", "body": "…"}},
    })  # fmt: skip
    message = parse_waha_webhook(raw, sig, KEY)
    assert isinstance(message, InboundMessage)
    assert (message.sender, message.text) == (BUYER, "Спасибо, всё пришло")
    assert message.in_reply_to == "true_77011234567@c.us_3EB0AB"

    raw, sig = signed({
        "event": "message.ack", "timestamp": 1749416390000,
        "payload": {"id": "true_77011234567@c.us_3EB0AB", "from": "77270001122@c.us",
                    "to": "77011234567@c.us", "fromMe": True, "ack": 3, "ackName": "READ"},
    })  # fmt: skip
    update = parse_waha_webhook(raw, sig, KEY)
    assert isinstance(update, StatusUpdate)
    assert (update.status, update.recipient) == (DeliveryStatus.READ, BUYER)


@pytest.mark.parametrize(
    "event",
    [
        {"event": "message.ack", "timestamp": 1, "payload": {"id": "x", "ack": 0}},  # PENDING
        {"event": "session.status", "payload": {"status": "WORKING"}},
        {
            "event": "message",
            "timestamp": 1,
            "payload": {"id": "x", "from": "123-456@g.us", "fromMe": False, "body": "group"},
        },
        {
            "event": "message",
            "timestamp": 1,
            "payload": {"id": "x", "from": "7701@c.us", "fromMe": True, "body": "ours"},
        },
    ],
)
def test_events_we_do_not_use(event: dict[str, object]) -> None:
    raw, sig = signed(event)
    assert parse_waha_webhook(raw, sig, KEY) is None


def test_bad_signature_and_bad_body() -> None:
    raw, sig = signed({"event": "message", "payload": {}})
    with pytest.raises(WebhookSignatureError):
        parse_waha_webhook(raw + b" ", sig, KEY)
    with pytest.raises(WebhookSignatureError):
        parse_waha_webhook(raw, None, KEY)
    with pytest.raises(WebhookPayloadError):
        parse_waha_webhook(b"[]", waha_signature(b"[]", KEY), KEY)
