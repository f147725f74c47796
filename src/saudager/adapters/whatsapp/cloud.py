"""The WhatsApp Cloud API client for one business number (reference/whatsapp.md §2.1–2.5).

A thin httpx client: ``POST /{version}/{phone_number_id}/messages`` with a bearer token, for
approved templates and free text. Every answer becomes one of the port's three outcomes:

- HTTP 200 with a ``wamid`` → :class:`SendAccepted`;
- a Graph API error, HTTP 429 or 5xx → :class:`SendRefused` (its kind from the error ``code``,
  its reason from ``error_data.details``; ``Retry-After`` kept);
- a connection that could not be opened (refused, connect timeout, no free connection in the
  pool) → a retryable :class:`SendRefused`: nothing left this machine;
- a timeout or dropped connection once the request was (maybe) written, or a 200 we cannot
  read → :class:`OutcomeUnknown`: the status webhooks settle it, never a blind resend.

The access token never reaches a log line; phone numbers are masked.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from saudager.adapters.whatsapp.errors import kind_for
from saudager.adapters.whatsapp.http import HttpProvider
from saudager.core.masking import mask_phone, redact_phones
from saudager.domains.messaging.provider import (
    OutcomeUnknown,
    RefusalKind,
    SendAccepted,
    SendRefused,
    TemplateMessage,
    TextMessage,
)

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v23.0"
MAX_CALLBACK_DATA = 512
MAX_TEXT = 4096


def template_payload(message: TemplateMessage) -> dict[str, Any]:
    """The request body for a template message (§2.2)."""
    components: list[dict[str, Any]] = []
    if message.body_parameters:
        components.append(
            {
                "type": "body",
                "parameters": [{"type": "text", "text": p} for p in message.body_parameters],
            }
        )
    if message.button_url_parameter is not None:
        components.append(
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": message.button_url_parameter}],
            }
        )
    template: dict[str, Any] = {
        "name": message.template,
        "language": {"policy": "deterministic", "code": message.language},
    }
    if components:
        template["components"] = components
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to,
        "type": "template",
        "template": template,
        "biz_opaque_callback_data": message.callback_data,
    }


def text_payload(message: TextMessage) -> dict[str, Any]:
    """The request body for free text (§2.3)."""
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to,
        "type": "text",
        "text": {"preview_url": False, "body": message.text},
        "biz_opaque_callback_data": message.callback_data,
    }


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number of seconds or an HTTP date; ``None`` when absent."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def refusal_from_response(response: httpx.Response) -> SendRefused:
    """A non-200 answer as a refusal: ``code`` decides the kind, ``details`` explain it."""
    code: int | None = None
    reason = f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        raw_code = error.get("code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            code = raw_code
        error_data = error.get("error_data")
        details = error_data.get("details") if isinstance(error_data, dict) else None
        message = error.get("message")
        text = details if isinstance(details, str) and details else message
        if isinstance(text, str) and text:
            reason = f"{reason}: {text}"
    kind = kind_for(code, response.status_code)
    if code is not None:
        reason = f"{reason} (code {code})"
    return SendRefused(
        kind,
        redact_phones(reason),
        code=code,
        retry_after_seconds=parse_retry_after(response.headers.get("Retry-After")),
    )


class CloudApiProvider(HttpProvider):
    """One business number at the Cloud API; implements ``MessagingProvider``.

    ``base_url`` is Graph's root (the fake server's URL in the demo and the tests); pass
    ``transport`` to run over an httpx test transport.
    """

    def __init__(
        self,
        phone_number_id: str,
        access_token: str,
        *,
        base_url: str = GRAPH_URL,
        version: str = DEFAULT_VERSION,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.phone_number_id = phone_number_id
        self._url = f"{base_url.rstrip('/')}/{version}/{phone_number_id}/messages"
        super().__init__(
            headers={"Authorization": f"Bearer {access_token}"}, timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds, transport=transport,
        )  # fmt: skip

    def __repr__(self) -> str:  # never shows the token
        return f"CloudApiProvider(phone_number_id={self.phone_number_id!r})"

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        _check_common(message.to, message.callback_data)
        return self._send(message.to, template_payload(message), f"template {message.template}")

    def send_text(self, message: TextMessage) -> SendAccepted:
        _check_common(message.to, message.callback_data)
        if not message.text or len(message.text) > MAX_TEXT:
            raise SendRefused(RefusalKind.BAD_REQUEST, f"text must be 1–{MAX_TEXT} characters")
        return self._send(message.to, text_payload(message), "text")

    def _send(self, to: str, payload: dict[str, Any], what: str) -> SendAccepted:
        masked = mask_phone(to)
        try:
            response = self._client.post(self._url, json=payload)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The connection never opened: the request was not sent.
            log.warning("whatsapp %s to %s not sent: %s", what, masked, type(exc).__name__)
            raise SendRefused(
                RefusalKind.PROVIDER_ERROR, f"could not connect: {type(exc).__name__}"
            ) from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            # Refused by httpx itself (a bad base URL or header): nothing was sent.
            raise SendRefused(
                RefusalKind.BAD_REQUEST, f"request not sendable: {type(exc).__name__}"
            ) from exc
        except httpx.TransportError as exc:
            # Written (maybe in part), then no answer: the provider may have taken it.
            log.warning("whatsapp %s to %s: outcome unknown (%s)", what, masked, type(exc).__name__)
            raise OutcomeUnknown(f"no answer after sending: {type(exc).__name__}") from exc
        if response.status_code != 200:
            refusal = refusal_from_response(response)
            log.info(
                "whatsapp %s to %s refused: %s (%s)", what, masked, refusal.kind, refusal.reason
            )
            raise refusal
        wamid = _message_id(response)
        if wamid is None:
            log.warning("whatsapp %s to %s: HTTP 200 without a message id", what, masked)
            raise OutcomeUnknown("HTTP 200 without a readable message id")
        log.info("whatsapp %s to %s accepted as %s", what, masked, wamid)
        return SendAccepted(wamid)


def _check_common(to: str, callback_data: str) -> None:
    # Without "+" Meta prefixes the business number's country code (§2.13): never send that.
    digits = to[1:]
    if not to.startswith("+") or not digits.isdigit() or not 8 <= len(digits) <= 15:
        raise SendRefused(RefusalKind.BAD_REQUEST, f"recipient {mask_phone(to)} is not E.164")
    if len(callback_data) > MAX_CALLBACK_DATA:
        raise SendRefused(
            RefusalKind.BAD_REQUEST, f"callback data longer than {MAX_CALLBACK_DATA} characters"
        )


def _message_id(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
        wamid = body["messages"][0]["id"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return wamid if isinstance(wamid, str) and wamid else None
