"""The optional GREEN-API provider over an httpx transport, and its webhook shapes
(reference/whatsapp.md §3.1; GREEN-API docs "SendMessage", "Incoming text message",
"OutgoingMessageStatus")."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import httpx
import pytest
from whatsapp_test_helpers import BUYER, answering, template

from saudager.adapters.whatsapp.greenapi import GreenApiProvider, parse_green_api_webhook
from saudager.adapters.whatsapp.webhook import WebhookPayloadError
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

TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"


def render(message: TemplateMessage) -> str:
    return f"{message.template}: " + ", ".join(message.body_parameters)


def provider(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> GreenApiProvider:
    return GreenApiProvider("1101000001", TOKEN, render, transport=answering(answer, seen))


def test_template_is_rendered_and_sent_to_the_chat_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[httpx.Request] = []
    with provider(httpx.Response(200, json={"idMessage": "3EB0C767D097B7C7C030"}), seen) as p:
        accepted = p.send_template(template(parameters=("Айгерим", "512345678", "Чайник", "TS")))
        assert TOKEN not in repr(p)
    assert accepted.provider_message_id == "3EB0C767D097B7C7C030"
    [request] = seen
    assert request.url.path == f"/waInstance1101000001/sendMessage/{TOKEN}"
    assert json.loads(request.content) == {
        "chatId": "77011234567@c.us",
        "message": "order_received_v1: Айгерим, 512345678, Чайник, TS",
    }
    assert TOKEN not in caplog.text  # httpx logs the URL; the token is hidden
    assert "7011234567" not in caplog.text


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, RefusalKind.RATE_LIMITED),
        (500, RefusalKind.PROVIDER_ERROR),
        (401, RefusalKind.AUTH_FAILED),
        (403, RefusalKind.AUTH_FAILED),
        (400, RefusalKind.BAD_REQUEST),
    ],
)
def test_http_errors_are_refusals(status: int, kind: RefusalKind) -> None:
    answer = httpx.Response(status, headers={"Retry-After": "3"})
    with provider(answer, []) as p, pytest.raises(SendRefused) as refused:
        p.send_text(TextMessage(BUYER, "Здравствуйте", "k"))
    assert refused.value.kind is kind
    assert refused.value.retry_after_seconds == 3


def test_transport_failures() -> None:
    with provider(httpx.ConnectError("refused"), []) as p, pytest.raises(SendRefused) as refused:
        p.send_text(TextMessage(BUYER, "Здравствуйте", "k"))
    assert refused.value.retryable
    with provider(httpx.ReadTimeout("slow"), []) as p, pytest.raises(OutcomeUnknown):
        p.send_text(TextMessage(BUYER, "Здравствуйте", "k"))
    with provider(httpx.Response(200, json={}), []) as p, pytest.raises(OutcomeUnknown):
        p.send_text(TextMessage(BUYER, "Здравствуйте", "k"))


def test_a_local_number_is_refused_before_sending() -> None:
    seen: list[httpx.Request] = []
    with provider(httpx.Response(200), seen) as p, pytest.raises(SendRefused):
        p.send_text(TextMessage("87011234567", "Здравствуйте", "k"))
    assert seen == []


INSTANCE = {"idInstance": 1101000001, "wid": "77270001122@c.us", "typeInstance": "whatsapp"}


@pytest.mark.parametrize(
    ("status", "expected", "code"),
    [
        ("sent", DeliveryStatus.SENT, None),
        ("delivered", DeliveryStatus.DELIVERED, None),
        ("read", DeliveryStatus.READ, None),
        ("failed", DeliveryStatus.FAILED, 131000),
        ("noAccount", DeliveryStatus.FAILED, 131026),
        ("yellowCard", DeliveryStatus.FAILED, 131048),
    ],
)
def test_outgoing_status(status: str, expected: DeliveryStatus, code: int | None) -> None:
    body = {
        "typeWebhook": "outgoingMessageStatus", "chatId": "77011234567@c.us",
        "instanceData": INSTANCE, "timestamp": 1588091580, "idMessage": "3EB0C767D097B7C7C030",
        "status": status, "sendByApi": True,
    }  # fmt: skip
    update = parse_green_api_webhook(body)
    assert isinstance(update, StatusUpdate)
    assert (update.status, update.error_code) == (expected, code)
    assert update.recipient == BUYER
    assert update.at == datetime.fromtimestamp(1588091580, UTC)
    assert update.callback_data is None


def test_incoming_text_with_a_quote_of_our_message() -> None:
    body = {
        "typeWebhook": "incomingMessageReceived", "instanceData": INSTANCE,
        "timestamp": 1588091580, "idMessage": "F7AEC1B7086ECDC7E6E45923F5EDB825",
        "senderData": {"chatId": "77011234567@c.us", "sender": "77011234567@c.us",
                       "senderName": "Айгерим"},
        "messageData": {"typeMessage": "textMessage",
                        "textMessageData": {"textMessage": "Пришёл не тот размер"},
                        "quotedMessage": {"stanzaId": "3EB0C767D097B7C7C030",
                                          "participant": "77270001122@c.us",
                                          "typeMessage": "textMessage"}},
    }  # fmt: skip
    message = parse_green_api_webhook(body)
    assert isinstance(message, InboundMessage)
    assert message.sender == BUYER
    assert message.text == "Пришёл не тот размер"
    assert message.in_reply_to == "3EB0C767D097B7C7C030"


def test_older_quoted_message_type() -> None:
    body = {
        "typeWebhook": "incomingMessageReceived", "instanceData": INSTANCE,
        "timestamp": 1703014480, "idMessage": "165682394AEEFFB519B13DD51491DF65",
        "senderData": {"chatId": "77011234567@c.us", "sender": "77011234567@c.us"},
        "messageData": {"typeMessage": "quotedMessage",
                        "extendedTextMessageData": {"text": "стоп",
                                                    "stanzaId": "3EB063C771F28EB323FAE3"}},
    }  # fmt: skip
    message = parse_green_api_webhook(body)
    assert isinstance(message, InboundMessage)
    assert (message.text, message.in_reply_to) == ("стоп", "3EB063C771F28EB323FAE3")


def test_other_webhooks_are_ignored_and_broken_ones_raise() -> None:
    assert parse_green_api_webhook({"typeWebhook": "stateInstanceChanged"}) is None
    assert (
        parse_green_api_webhook({"typeWebhook": "outgoingMessageStatus", "status": "notInGroup"})
        is None
    )
    with pytest.raises(WebhookPayloadError):
        parse_green_api_webhook({"typeWebhook": "outgoingMessageStatus", "status": "sent"})
    with pytest.raises(WebhookPayloadError):
        parse_green_api_webhook({"typeWebhook": "incomingMessageReceived"})
