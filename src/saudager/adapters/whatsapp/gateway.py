"""What the unofficial text gateways (GREEN-API, WAHA) share: a provider that renders a
template to text and posts it (:class:`TextGateway`), and the send request (:func:`post_text`),
whose failures mean the same for both — not connected: nothing was sent (retryable); connected
and no answer: the outcome is unknown; an HTTP error: refused, by its status."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx

from saudager.adapters.whatsapp.cloud import parse_retry_after
from saudager.adapters.whatsapp.errors import e164_digits, kind_for
from saudager.adapters.whatsapp.http import HttpProvider
from saudager.core.masking import mask_phone
from saudager.domains.messaging.provider import (
    OutcomeUnknown,
    RefusalKind,
    SendAccepted,
    SendRefused,
    TemplateMessage,
    TextMessage,
)


def post_text(
    client: httpx.Client,
    url: str,
    body: dict[str, Any],
    *,
    label: str,
    masked: str,
    log: logging.Logger,
    accepted: tuple[int, ...] = (200,),
) -> httpx.Response:
    """The gateway's answer to one text; raises ``SendRefused`` or ``OutcomeUnknown``.
    ``label`` names the gateway and ``masked`` the buyer in log lines."""
    try:
        response = client.post(url, json=body)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        log.warning("%s text to %s not sent: %s", label, masked, type(exc).__name__)
        raise SendRefused(
            RefusalKind.PROVIDER_ERROR, f"could not connect: {type(exc).__name__}"
        ) from exc
    except httpx.TransportError as exc:
        log.warning("%s text to %s: outcome unknown (%s)", label, masked, type(exc).__name__)
        raise OutcomeUnknown(f"no answer after sending: {type(exc).__name__}") from exc
    if response.status_code not in accepted:
        kind = kind_for(None, response.status_code)
        if response.status_code == 403:
            kind = RefusalKind.AUTH_FAILED
        log.info("%s text to %s refused: HTTP %s", label, masked, response.status_code)
        raise SendRefused(
            kind,
            f"HTTP {response.status_code}",
            retry_after_seconds=parse_retry_after(response.headers.get("Retry-After")),
        )
    return response


class TextGateway(HttpProvider):
    """A gateway that sends plain text (implements ``MessagingProvider``): a template message
    is rendered to text by ``render``. A subclass says how its request looks
    (:meth:`_body`), where it posts (``_url``) and where its answer puts the message id
    (:meth:`_message_id`)."""

    label = "gateway"  # in log lines
    max_text = 20_000
    accepted: tuple[int, ...] = (200,)

    def __init__(
        self,
        url: str,
        render: Callable[[TemplateMessage], str],
        *,
        log: logging.Logger,
        headers: dict[str, str] | None = None,
        timeout_seconds: float = 10.0,
        connect_timeout_seconds: float = 5.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self._render = render
        self._log = log
        super().__init__(
            headers=headers, timeout_seconds=timeout_seconds,
            connect_timeout_seconds=connect_timeout_seconds, transport=transport,
        )  # fmt: skip

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        return self._send(message.to, self._render(message))

    def send_text(self, message: TextMessage) -> SendAccepted:
        return self._send(message.to, message.text)

    def _body(self, digits: str, text: str) -> dict[str, Any]:
        raise NotImplementedError

    def _message_id(self, answer: Any) -> object:
        raise NotImplementedError

    def _send(self, to: str, text: str) -> SendAccepted:
        digits = e164_digits(to)
        if not text or len(text) > self.max_text:
            raise SendRefused(RefusalKind.BAD_REQUEST, f"text must be 1–{self.max_text} characters")
        masked = mask_phone(to)
        response = post_text(
            self._client, self._url, self._body(digits, text), label=self.label, masked=masked,
            log=self._log, accepted=self.accepted,
        )  # fmt: skip
        try:
            message_id = self._message_id(response.json())
        except (ValueError, KeyError, TypeError):
            message_id = None
        if not isinstance(message_id, str) or not message_id:
            raise OutcomeUnknown(f"HTTP {response.status_code} without a message id")
        self._log.info("%s text to %s accepted as %s", self.label, masked, message_id)
        return SendAccepted(message_id)
