"""The Cloud API webhook: GET verification, the signature, and POST bodies as domain types
(reference/whatsapp.md §2.6–2.10).

The web app hands this module the query parameters of a GET and the *raw* bytes and the
``X-Hub-Signature-256`` header of a POST. Meta signs an ASCII-escaped rendering of the payload
(``\\u0422``, ``\\/``, ``\\u0040``), so the HMAC is computed over the bytes exactly as received,
never over re-serialised JSON. A bad signature or a malformed body raises and yields nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from saudager.domains.messaging.provider import DeliveryStatus, InboundMessage, StatusUpdate

SIGNATURE_HEADER = "X-Hub-Signature-256"
_SIGNATURE_PREFIX = "sha256="
_STATUSES = {s.value: s for s in DeliveryStatus}


class WebhookError(ValueError):
    """A webhook request we refuse; the message says why (it never holds a secret)."""


class WebhookVerificationError(WebhookError):
    """A GET verification with the wrong mode or token: answer 403."""


class WebhookSignatureError(WebhookError):
    """A POST whose ``X-Hub-Signature-256`` is missing or does not match: answer 401/403."""


class WebhookPayloadError(WebhookError):
    """A signed POST whose body is not a Cloud API webhook we can read: answer 400."""


@dataclass(frozen=True, slots=True)
class WebhookBatch:
    """What one POST carried, in the order it came."""

    statuses: tuple[StatusUpdate, ...]
    messages: tuple[InboundMessage, ...]
    #: Messages and statuses we do not use (reactions, media, ``played``, no phone number…).
    ignored: int = 0


def verify_subscription(params: Mapping[str, str], verify_token: str) -> str:
    """The body to answer a GET verification with (``hub.challenge``, unchanged).

    Raises :class:`WebhookVerificationError` unless ``hub.mode`` is ``subscribe`` and
    ``hub.verify_token`` matches (compared in constant time).
    """
    mode = params.get("hub.mode")
    token = params.get("hub.verify_token", "")
    challenge = params.get("hub.challenge")
    if mode != "subscribe":
        raise WebhookVerificationError("hub.mode is not 'subscribe'")
    if not verify_token or not hmac.compare_digest(token.encode(), verify_token.encode()):
        raise WebhookVerificationError("hub.verify_token does not match")
    if challenge is None:
        raise WebhookVerificationError("hub.challenge is missing")
    return challenge


def signature_for(raw_body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value for a body: ``sha256=`` and lowercase hex."""
    digest = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return f"{_SIGNATURE_PREFIX}{digest}"


def check_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Raise :class:`WebhookSignatureError` unless ``header`` signs ``raw_body`` exactly."""
    if not app_secret:
        raise WebhookSignatureError("no app secret configured")
    if not header or not header.startswith(_SIGNATURE_PREFIX):
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} is missing or not sha256")
    expected = signature_for(raw_body, app_secret)
    if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        raise WebhookSignatureError(f"{SIGNATURE_HEADER} does not match the body")


def parse_signed(raw_body: bytes, header: str | None, app_secret: str) -> WebhookBatch:
    """Check the signature over the raw bytes, then parse them."""
    check_signature(raw_body, header, app_secret)
    return parse_body(raw_body)


def parse_body(raw_body: bytes) -> WebhookBatch:
    """A POST body as statuses and inbound messages; raises :class:`WebhookPayloadError`.

    Any number of ``entry[]``/``changes[]``/``statuses[]``/``messages[]``; fields we do not use
    are skipped. Statuses are returned as they came (duplicates and all): ordering and
    de-duplication belong to the outbox.
    """
    try:
        document = json.loads(raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookPayloadError(f"body is not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise WebhookPayloadError("body is not a JSON object")
    if document.get("object") != "whatsapp_business_account":
        raise WebhookPayloadError("object is not 'whatsapp_business_account'")
    statuses: list[StatusUpdate] = []
    messages: list[InboundMessage] = []
    ignored = 0
    for entry in _list(document, "entry"):
        for change in _list(_object(entry, "entry"), "changes"):
            change = _object(change, "change")
            if change.get("field") != "messages":
                ignored += 1
                continue
            value = _object(change.get("value"), "value")
            metadata = value.get("metadata")
            number = (
                _optional_str(metadata, "phone_number_id") if isinstance(metadata, dict) else None
            )
            for raw in _list(value, "statuses"):
                status = _status(_object(raw, "status"))
                if status is None:
                    ignored += 1
                else:
                    statuses.append(status)
            for raw in _list(value, "messages"):
                message = _message(_object(raw, "message"), number)
                if message is None:
                    ignored += 1
                else:
                    messages.append(message)
    return WebhookBatch(tuple(statuses), tuple(messages), ignored)


def _status(raw: dict[str, Any]) -> StatusUpdate | None:
    name = _str(raw, "status")
    status = _STATUSES.get(name)
    if status is None:  # "played" (voice), or a status added later
        return None
    error_code: int | None = None
    error_title: str | None = None
    errors = raw.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        first = errors[0]
        code = first.get("code")
        error_code = code if isinstance(code, int) and not isinstance(code, bool) else None
        title = first.get("title") or first.get("message")
        error_title = title if isinstance(title, str) else None
    callback = raw.get("biz_opaque_callback_data")
    recipient = raw.get("recipient_id")
    return StatusUpdate(
        provider_message_id=_str(raw, "id"),
        status=status,
        at=_timestamp(raw),
        recipient=_e164(recipient) if isinstance(recipient, str) and recipient else "",
        callback_data=callback if isinstance(callback, str) else None,
        error_code=error_code,
        error_title=error_title,
    )


def _message(raw: dict[str, Any], business_number: str | None) -> InboundMessage | None:
    sender = raw.get("from")
    if not isinstance(sender, str) or not sender:
        return None  # a username-only buyer (business-scoped id, no phone): cannot be matched
    kind = raw.get("type")
    payload: str | None = None
    if kind == "text":
        text = _str(_object(raw.get("text"), "text"), "body")
    elif kind == "button":
        button = _object(raw.get("button"), "button")
        payload = _optional_str(button, "payload")
        text = _optional_str(button, "text") or payload or ""
    elif kind == "interactive":
        interactive = _object(raw.get("interactive"), "interactive")
        reply = interactive.get("button_reply") or interactive.get("list_reply")
        if not isinstance(reply, dict):
            return None
        payload = _optional_str(reply, "id")
        text = _optional_str(reply, "title") or payload or ""
    else:  # reactions, media, system, unsupported
        return None
    context = raw.get("context")
    in_reply_to = _optional_str(context, "id") if isinstance(context, dict) else None
    return InboundMessage(
        provider_message_id=_str(raw, "id"),
        sender=_e164(sender),
        at=_timestamp(raw),
        text=text,
        in_reply_to=in_reply_to,
        button_payload=payload,
        business_number=business_number,
    )


def _e164(wa_id: str) -> str:
    digits = wa_id.lstrip("+")
    if not digits.isdigit():
        raise WebhookPayloadError("a phone number is not digits")
    return f"+{digits}"


def _timestamp(raw: dict[str, Any]) -> datetime:
    value = raw.get("timestamp")
    try:
        seconds = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise WebhookPayloadError("timestamp is not Unix seconds") from exc
    return datetime.fromtimestamp(seconds, UTC)


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WebhookPayloadError(f"{what} is not an object")
    return value


def _list(container: dict[str, Any], key: str) -> list[Any]:
    value = container.get(key, [])
    if not isinstance(value, list):
        raise WebhookPayloadError(f"{key} is not a list")
    return value


def _str(container: dict[str, Any], key: str) -> str:
    value = container.get(key)
    if not isinstance(value, str) or not value:
        raise WebhookPayloadError(f"{key} is missing")
    return value


def _optional_str(container: dict[str, Any], key: str) -> str | None:
    value = container.get(key)
    return value if isinstance(value, str) and value else None
