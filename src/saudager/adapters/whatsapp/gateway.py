"""The send request of the unofficial text gateways (GREEN-API, WAHA): one POST whose failures
mean the same for both — not connected: nothing was sent (retryable); connected and no answer:
the outcome is unknown; an HTTP error: refused, by its status."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from saudager.adapters.whatsapp.cloud import parse_retry_after
from saudager.adapters.whatsapp.errors import kind_for
from saudager.domains.messaging.provider import OutcomeUnknown, RefusalKind, SendRefused


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
