"""The webhook: GET verification, the signature over raw bytes, and parsing real shapes
(reference/whatsapp.md §2.6–2.10)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from saudager.adapters.whatsapp.fake import escaped_json
from saudager.adapters.whatsapp.webhook import (
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookVerificationError,
    check_signature,
    parse_body,
    parse_signed,
    signature_for,
    verify_subscription,
)
from saudager.domains.messaging.provider import DeliveryStatus

SECRET = "app_secret"


def envelope(value: Mapping[str, object]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "77270001122",
                                "phone_number_id": "106540352242922",
                            },
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def status(
    name: str, timestamp: int, wamid: str = "wamid.HBgLNzcw", **extra: object
) -> dict[str, object]:
    return {
        "id": wamid,
        "status": name,
        "timestamp": str(timestamp),
        "recipient_id": "77011234567",
        "biz_opaque_callback_data": "shop7:512345678:review",
        "pricing": {"billable": True, "pricing_model": "PMP", "type": "regular",
                    "category": "utility"},
        **extra,
    }  # fmt: skip


# ---- GET verification ----------------------------------------------------------------------


def test_verification_echoes_the_challenge_unchanged() -> None:
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "vt"}
    assert verify_subscription(params, "vt") == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "wrong"},
        {"hub.mode": "unsubscribe", "hub.challenge": "1", "hub.verify_token": "vt"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "vt"},
    ],
)
def test_verification_refuses_anything_else(params: dict[str, str]) -> None:
    with pytest.raises(WebhookVerificationError):
        verify_subscription(params, "vt")


def test_verification_refuses_when_no_token_is_configured() -> None:
    with pytest.raises(WebhookVerificationError):
        verify_subscription({"hub.mode": "subscribe", "hub.challenge": "1"}, "")


# ---- signature -----------------------------------------------------------------------------


def test_reference_test_vector() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = "sha256=c236c758c9b2bd40b388a550eeca09eaca72384dd0aa5e7c31d19cddac5bba46"
    assert signature_for(body, SECRET) == expected
    check_signature(body, expected, SECRET)
    assert parse_signed(body, expected, SECRET).statuses == ()


def test_a_body_changed_by_one_byte_is_refused() -> None:
    body = escaped_json(envelope({"statuses": [status("read", 1750030073)]}))
    header = signature_for(body, SECRET)
    changed = body.replace(b"1750030073", b"1750030074")
    assert len(changed) == len(body)
    with pytest.raises(WebhookSignatureError):
        parse_signed(changed, header, SECRET)


@pytest.mark.parametrize(
    "header",
    [None, "", "sha1=abc", "sha256=", "sha256=00", "c236c758c9b2bd40b388a550eeca09eaca72384d"],
)
def test_missing_or_wrong_signature_is_refused(header: str | None) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    with pytest.raises(WebhookSignatureError):
        check_signature(body, header, SECRET)


def test_another_secret_is_refused() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    with pytest.raises(WebhookSignatureError):
        check_signature(body, signature_for(body, "other"), SECRET)
    with pytest.raises(WebhookSignatureError):
        check_signature(body, signature_for(body, SECRET), "")


def test_cyrillic_in_ascii_escaped_form_is_checked_over_the_raw_bytes() -> None:
    text = "Товар пришёл/не тот @размер"
    value = {
        "contacts": [{"profile": {"name": "Айгерим"}, "wa_id": "77011234567"}],
        "messages": [{"from": "77011234567", "id": "wamid.IN1", "timestamp": "1749416383",
                      "type": "text", "text": {"body": text}}],
    }  # fmt: skip
    raw = escaped_json(envelope(value))
    assert b"\\u0422\\u043e\\u0432\\u0430\\u0440" in raw
    assert b"\\/" in raw and b"\\u0040" in raw
    header = signature_for(raw, SECRET)

    batch = parse_signed(raw, header, SECRET)
    assert batch.messages[0].text == text

    # The same document re-serialised (UTF-8, plain "/" and "@") no longer matches.
    reserialised = json.dumps(json.loads(raw), ensure_ascii=False, separators=(",", ":"))
    with pytest.raises(WebhookSignatureError):
        check_signature(reserialised.encode(), header, SECRET)


# ---- parsing -------------------------------------------------------------------------------


def test_statuses_out_of_order_duplicated_and_batched_are_all_returned() -> None:
    statuses = [
        status("read", 1750030075),
        status("sent", 1750030071),
        status("delivered", 1750030073),
        status("delivered", 1750030073),
    ]
    batch = parse_body(escaped_json(envelope({"statuses": statuses})))
    assert [s.status for s in batch.statuses] == [
        DeliveryStatus.READ,
        DeliveryStatus.SENT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.DELIVERED,
    ]
    first = batch.statuses[0]
    assert first.provider_message_id == "wamid.HBgLNzcw"
    assert first.recipient == "+77011234567"
    assert first.callback_data == "shop7:512345678:review"
    assert first.at == datetime.fromtimestamp(1750030075, UTC)
    assert first.error_code is None
    assert batch.messages == ()


def test_a_failed_status_carries_its_error() -> None:
    failed = status(
        "failed",
        1750030080,
        errors=[{"code": 131049, "title": "This message was not delivered to maintain healthy "
                 "ecosystem engagement.", "message": "…", "error_data": {"details": "…"},
                 "href": "/documentation/business-messaging/whatsapp/support/error-codes"}],
    )  # fmt: skip
    [update] = parse_body(escaped_json(envelope({"statuses": [failed]}))).statuses
    assert update.status is DeliveryStatus.FAILED
    assert update.error_code == 131049
    assert update.error_title is not None and "healthy ecosystem" in update.error_title


def test_played_and_unknown_statuses_are_ignored() -> None:
    batch = parse_body(escaped_json(envelope({"statuses": [status("played", 1)]})))
    assert batch.statuses == ()
    assert batch.ignored == 1


def test_a_status_without_callback_data() -> None:
    raw = status("sent", 1)
    del raw["biz_opaque_callback_data"]
    [update] = parse_body(escaped_json(envelope({"statuses": [raw]}))).statuses
    assert update.callback_data is None


def test_text_message_with_contacts_and_metadata() -> None:
    value = {
        "contacts": [{"profile": {"name": "Айгерим"}, "wa_id": "77011234567"}],
        "messages": [{"from": "77011234567", "id": "wamid.HBgL1", "timestamp": "1749416383",
                      "type": "text", "text": {"body": "Пришёл не тот размер"}}],
    }  # fmt: skip
    [message] = parse_body(escaped_json(envelope(value))).messages
    assert message.sender == "+77011234567"
    assert message.provider_message_id == "wamid.HBgL1"
    assert message.text == "Пришёл не тот размер"
    assert message.at == datetime.fromtimestamp(1749416383, UTC)
    assert message.in_reply_to is None
    assert message.button_payload is None
    assert message.business_number == "106540352242922"  # metadata.phone_number_id


def test_button_reply_links_to_our_template() -> None:
    value = {
        "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": "77011234567"}],
        "messages": [{"context": {"from": "77270001122", "id": "wamid.OURS"},
                      "from": "77011234567", "id": "wamid.TAP", "timestamp": "1749416400",
                      "type": "button", "button": {"payload": "Unsubscribe",
                                                   "text": "Unsubscribe"}}],
    }  # fmt: skip
    [message] = parse_body(escaped_json(envelope(value))).messages
    assert message.in_reply_to == "wamid.OURS"
    assert message.button_payload == "Unsubscribe"
    assert message.text == "Unsubscribe"


def test_interactive_button_reply() -> None:
    value = {
        "messages": [{"from": "77011234567", "id": "wamid.I", "timestamp": "1749416400",
                      "context": {"from": "77270001122", "id": "wamid.OURS"},
                      "type": "interactive", "interactive": {"type": "button_reply",
                      "button_reply": {"id": "PROBLEM", "title": "Есть проблема"}}}],
    }  # fmt: skip
    [message] = parse_body(escaped_json(envelope(value))).messages
    assert (message.text, message.button_payload) == ("Есть проблема", "PROBLEM")


def test_unused_types_and_fields_are_skipped() -> None:
    value = {
        "messages": [
            {"from": "77011234567", "id": "wamid.R", "timestamp": "1", "type": "reaction",
             "reaction": {"message_id": "wamid.OURS", "emoji": "👍"}},
            {"from": "77011234567", "id": "wamid.U", "timestamp": "1", "type": "unsupported",
             "errors": [{"code": 131051, "title": "Message type unknown"}]},
            # A username-only buyer (business-scoped id, no phone number).
            {"user_id": "US.13491208655302741918", "id": "wamid.B", "timestamp": "1",
             "type": "text", "text": {"body": "привет"}},
        ],
        "user_preferences": [{"wa_id": "77011234567", "value": "stop"}],
    }  # fmt: skip
    document = envelope(value)
    document["entry"][0]["changes"].append(
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}
    )
    batch = parse_body(escaped_json(document))
    assert batch.messages == ()
    assert batch.ignored == 4


def test_several_entries_and_changes_in_one_post() -> None:
    one = envelope({"statuses": [status("sent", 1, wamid="wamid.A")]})
    two = envelope({"statuses": [status("delivered", 2, wamid="wamid.B")]})
    one["entry"] = [*one["entry"], *two["entry"]]
    batch = parse_body(escaped_json(one))
    assert [s.provider_message_id for s in batch.statuses] == ["wamid.A", "wamid.B"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b'{"object":"page","entry":[]}',
        b'{"object":"whatsapp_business_account","entry":{}}',
        b'{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",'
        b'"value":{"statuses":[{"id":"wamid.A","status":"sent"}]}}]}]}',
        b'{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",'
        b'"value":{"statuses":[{"id":"wamid.A","status":"sent","timestamp":"1"},'
        b'{"status":"read","timestamp":"2"}]}}]}]}',
        b'{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages",'
        b'"value":{"messages":[{"from":"7701","id":"w","timestamp":"1","type":"text"}]}}]}]}',
        b"\xff\xfe",
    ],
)
def test_a_malformed_body_raises_and_yields_nothing(raw: bytes) -> None:
    with pytest.raises(WebhookPayloadError):
        parse_body(raw)
    with pytest.raises(WebhookPayloadError):
        parse_signed(raw, signature_for(raw, SECRET), SECRET)
