"""``/webhooks/whatsapp`` through the real app: Meta's GET verification, and POST bodies signed
exactly as Meta signs them (HMAC-SHA256 of the raw, ASCII-escaped JSON with the app secret).
A body whose signature is missing or wrong is refused and changes nothing in the database."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from saudager.adapters.db import tables as t
from saudager.adapters.notify.log import DEFAULT_LOGGER
from saudager.domains.messaging.consent import OptOutSource
from saudager.domains.messaging.provider import DeliveryStatus
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxMessage, OutboxState
from saudager.domains.messaging.triage import Category
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import Services, build_services

URL = "/webhooks/whatsapp"
SECRET = "app-secret-for-tests"
VERIFY = "verify-token-for-tests"
NUMBER = "109876543210987"  # the Cloud API phone number id
BUYER = "+77011234567"
NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Hook:
    services: Services
    client: TestClient
    shop_id: int
    other_shop_id: int


@pytest.fixture
def hook(tmp_path: Path) -> Iterator[Hook]:
    messaging = {"app_secret": SECRET, "verify_token": VERIFY, "phone_number_id": NUMBER}
    services = build_services(load_settings(None, home=tmp_path, messaging=messaging))
    first = services.add_shop("Первый магазин", None, None, None)
    second = services.add_shop("Второй магазин", None, None, None)
    yield Hook(services, TestClient(create_app(services)), first.id, second.id)
    services.close()


# ------------------------------------------------------------------------- Meta's side


def signed(payload: dict[str, Any]) -> tuple[bytes, str]:
    """The body as Meta sends it (non-ASCII as \\uXXXX, slashes escaped) and its signature."""
    raw = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/")
    body = raw.encode("ascii")
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return body, f"sha256={digest}"


def post(hook: Hook, body: bytes, signature: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    answer = hook.client.post(URL, content=body, headers=headers)
    return int(answer.status_code)


def deliver(hook: Hook, payload: dict[str, Any]) -> None:
    body, signature = signed(payload)
    assert post(hook, body, signature) == 200


def webhook(
    *, statuses: list[dict[str, Any]] | None = None, messages: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "77270001122", "phone_number_id": NUMBER},
    }
    if statuses:
        value["statuses"] = statuses
    if messages:
        value["contacts"] = [{"profile": {"name": "Айгерим"}, "wa_id": BUYER[1:]}]
        value["messages"] = messages
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA-1", "changes": [{"field": "messages", "value": value}]}],
    }


def status(wamid: str, name: str, minutes: int, callback: str | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": wamid,
        "status": name,
        "timestamp": str(int((NOW + timedelta(minutes=minutes)).timestamp())),
        "recipient_id": BUYER[1:],
    }
    if callback is not None:
        raw["biz_opaque_callback_data"] = callback
    return raw


def text(wamid: str, body: str, *, answers: str | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "from": BUYER[1:],
        "id": wamid,
        "timestamp": str(int((NOW + timedelta(minutes=30)).timestamp())),
        "type": "text",
        "text": {"body": body},
    }
    if answers is not None:
        raw["context"] = {"from": "77270001122", "id": answers}
    return raw


def button(wamid: str, payload: str, title: str, *, answers: str) -> dict[str, Any]:
    return {
        "from": BUYER[1:],
        "id": wamid,
        "timestamp": str(int((NOW + timedelta(minutes=30)).timestamp())),
        "type": "button",
        "context": {"from": "77270001122", "id": answers},
        "button": {"payload": payload, "text": title},
    }


# ------------------------------------------------------------------------- our side


def sent(hook: Hook, shop_id: int, order: str, wamid: str, kind: str = "order_received") -> int:
    """A message the provider took as ``wamid``; its outbox id."""
    with hook.services.store.transaction() as tx:
        message, _ = tx.enqueue_message(new(shop_id, order, kind), NOW)
        (claimed,) = tx.claim_due_messages(NOW, f"token-{wamid}", 1)
        assert tx.mark_message_sent(claimed.id, f"token-{wamid}", wamid, NOW)
        return message.id


def new(shop_id: int, order: str, kind: str) -> NewMessage:
    return NewMessage(
        key=MessageKey(shop_id, order, kind),
        from_number=NUMBER,
        to=BUYER,
        template="order_received_v1",
        language="ru",
        body_parameters=("Айгерим", order),
        due_at=NOW,
    )


def outbox(hook: Hook, message_id: int) -> OutboxMessage:
    with hook.services.store.transaction() as tx:
        message = tx.outbox_message(message_id)
    assert message is not None
    return message


def counts(hook: Hook) -> dict[str, int]:
    tables = (t.messaging_inbound, t.messaging_opt_outs, t.message_status_events)
    with hook.services.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in tables
        }


def alerts(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == DEFAULT_LOGGER]


# ------------------------------------------------------------------------- verification


def test_verification_echoes_the_challenge_for_the_right_token(hook: Hook) -> None:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    answer = hook.client.get(URL, params=params)
    assert answer.status_code == 200
    assert answer.text == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
def test_verification_with_a_wrong_token_or_mode_is_forbidden(
    hook: Hook, params: dict[str, str]
) -> None:
    answer = hook.client.get(URL, params=params)
    assert answer.status_code == 403
    assert answer.text != "1"


# ------------------------------------------------------------------------- signatures


def test_unsigned_or_wrongly_signed_bodies_change_nothing(hook: Hook) -> None:
    queued = sent(hook, hook.shop_id, "500000001", "wamid.A")
    with hook.services.store.transaction() as tx:
        waiting, _ = tx.enqueue_message(new(hook.shop_id, "500000001", "review"), NOW)
    body, signature = signed(
        webhook(
            statuses=[status("wamid.A", "read", 5)],
            messages=[text("wamid.IN1", "СТОП", answers="wamid.A")],
        )
    )
    before = counts(hook)
    flipped = bytearray(body)
    flipped[body.index(b"read")] = ord("R")  # one byte of the body changed
    other_secret = "sha256=" + hmac.new(b"another", body, hashlib.sha256).hexdigest()
    refused = [
        post(hook, body, None),
        post(hook, body, ""),
        post(hook, body, "sha256=" + "0" * 64),
        post(hook, body, other_secret),
        post(hook, body, signature.removeprefix("sha256=")),
        post(hook, bytes(flipped), signature),
        post(hook, body + b" ", signature),
    ]
    assert refused == [403] * len(refused)
    assert (
        counts(hook)
        == before
        == {
            "messaging_inbound": 0,
            "messaging_opt_outs": 0,
            "message_status_events": 0,
        }
    )
    assert outbox(hook, queued).delivery_status is None
    assert outbox(hook, waiting.id).state is OutboxState.QUEUED
    # The same body, rightly signed, is taken (so the refusals above were the signature's).
    assert post(hook, body, signature) == 200
    assert outbox(hook, waiting.id).state is OutboxState.CANCELLED


def test_without_an_app_secret_every_post_is_refused(tmp_path: Path) -> None:
    services = build_services(load_settings(None, home=tmp_path, messaging={"verify_token": "x"}))
    try:
        body = json.dumps(webhook(statuses=[status("wamid.A", "sent", 1)])).encode()
        for secret in ("", SECRET):
            digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            answer = TestClient(create_app(services)).post(
                URL, content=body, headers={"X-Hub-Signature-256": f"sha256={digest}"}
            )
            assert answer.status_code == 403
    finally:
        services.close()


def test_a_signed_body_that_is_no_webhook_is_a_bad_request(hook: Hook) -> None:
    for payload in (b"not json", b'{"object":"page","entry":[]}'):
        digest = hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()
        assert post(hook, payload, f"sha256={digest}") == 400
    assert set(counts(hook).values()) == {0}


# ------------------------------------------------------------------------- statuses


def test_statuses_in_any_order_and_repeated_end_in_the_right_state(hook: Hook) -> None:
    first = sent(hook, hook.shop_id, "500000001", "wamid.A")
    failed = sent(hook, hook.shop_id, "500000002", "wamid.B")
    callback = MessageKey(hook.shop_id, "500000001", "order_received").callback_data
    deliver(hook, webhook(statuses=[status("wamid.A", "read", 9, callback)]))
    deliver(hook, webhook(statuses=[status("wamid.A", "sent", 1), status("wamid.A", "read", 9)]))
    deliver(hook, webhook(statuses=[status("wamid.A", "delivered", 5, callback)]))
    deliver(hook, webhook(statuses=[status("wamid.B", "sent", 1), status("wamid.B", "sent", 1)]))
    deliver(hook, webhook(statuses=[status("wamid.B", "failed", 3)]))
    deliver(hook, webhook(statuses=[status("wamid.B", "delivered", 2)]))

    message = outbox(hook, first)
    assert (message.state, message.delivery_status) == (OutboxState.SENT, DeliveryStatus.READ)
    assert message.delivery_status_at == NOW + timedelta(minutes=9)
    assert outbox(hook, failed).delivery_status is DeliveryStatus.FAILED
    assert counts(hook)["message_status_events"] == 6  # A: sent, delivered, read; B: 3


# ------------------------------------------------------------------------- opt-outs


@pytest.mark.parametrize(
    ("message", "source"),
    [
        (text("wamid.IN1", "STOP", answers="wamid.A"), OptOutSource.KEYWORD),
        (text("wamid.IN1", "стоп", answers="wamid.A"), OptOutSource.KEYWORD),
        (text("wamid.IN1", "Тоқта", answers="wamid.A"), OptOutSource.KEYWORD),
        (button("wamid.IN1", "OPT_OUT", "Отписаться", answers="wamid.A"), OptOutSource.BUTTON),
    ],
)
def test_an_opt_out_stops_every_shop_on_the_number_once(
    hook: Hook, message: dict[str, Any], source: OptOutSource
) -> None:
    sent(hook, hook.shop_id, "500000001", "wamid.A")
    with hook.services.store.transaction() as tx:
        here, _ = tx.enqueue_message(new(hook.shop_id, "500000001", "review"), NOW)
        there, _ = tx.enqueue_message(new(hook.other_shop_id, "700000009", "order_received"), NOW)

    deliver(hook, webhook(messages=[message]))
    deliver(hook, webhook(messages=[message]))  # Meta delivers at least once

    inbox = hook.services.inbox
    (opt_out,) = inbox.opt_outs()
    assert (opt_out.phone, opt_out.business_number, opt_out.source) == (BUYER, NUMBER, source)
    assert opt_out.shop_id == hook.shop_id  # the shop whose message was answered
    assert opt_out.at == NOW + timedelta(minutes=30)
    assert inbox.is_opted_out(NUMBER, BUYER)
    assert outbox(hook, here.id).state is OutboxState.CANCELLED
    assert outbox(hook, there.id).state is OutboxState.CANCELLED  # the other shop's too
    assert counts(hook) == {
        "messaging_inbound": 1,
        "messaging_opt_outs": 1,
        "message_status_events": 0,
    }


# ------------------------------------------------------------------------- triage


def test_a_complaint_is_matched_alerted_once_and_waits_in_the_inbox(
    hook: Hook, caplog: pytest.LogCaptureFixture
) -> None:
    sent(hook, hook.shop_id, "500000001", "wamid.A")
    sent(hook, hook.other_shop_id, "700000009", "wamid.B")
    complaint = text("wamid.IN1", "2/5: пришёл бракованный, коробка разбита!", answers="wamid.A")
    with caplog.at_level(logging.WARNING, logger=DEFAULT_LOGGER):
        deliver(hook, webhook(messages=[complaint]))
        deliver(hook, webhook(messages=[complaint]))
    (alert,) = alerts(caplog)
    assert alert.__dict__["shop_id"] == hook.shop_id
    assert "500000001" in alert.getMessage()
    assert BUYER[1:] not in alert.getMessage()
    (waiting,) = hook.services.inbox.inbox(hook.shop_id)
    assert waiting.triage.category is Category.COMPLAINT
    assert (waiting.order_code, waiting.message.text) == (
        "500000001",
        "2/5: пришёл бракованный, коробка разбита!",
    )
    assert hook.services.inbox.inbox(hook.other_shop_id) == []


def test_thanks_alerts_nobody(hook: Hook, caplog: pytest.LogCaptureFixture) -> None:
    sent(hook, hook.shop_id, "500000001", "wamid.A")
    with caplog.at_level(logging.WARNING, logger=DEFAULT_LOGGER):
        deliver(
            hook, webhook(messages=[text("wamid.IN1", "Рахмет, бәрі жақсы!", answers="wamid.A")])
        )
    assert alerts(caplog) == []
    (thanks,) = hook.services.inbox.inbox(hook.shop_id)
    assert (thanks.triage.category, thanks.order_code) == (Category.THANKS, "500000001")
