"""``/webhooks/whatsapp``: the WhatsApp Cloud API webhook, called by Meta, not by a user.

- ``GET``: the subscription check — answers ``hub.challenge`` as it came when ``hub.mode`` is
  ``subscribe`` and ``hub.verify_token`` is ``messaging.verify_token``; 403 otherwise.
- ``POST``: delivery statuses and buyers' messages. The ``X-Hub-Signature-256`` header is
  checked over the raw body with ``messaging.app_secret`` before anything is read from it: a
  missing or wrong signature (or no secret configured) answers 403 and changes nothing. A
  signed body that is not a webhook answers 400. The events are applied
  (``InboxService.handle``) and 200 answers; an error while applying answers 500, so Meta
  delivers the same body again, which changes nothing already stored. Complaints alert their
  seller right after the answer has gone (a background task).

No session, no CSRF token and no shop id: the signature is the authentication.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from saudager.adapters.whatsapp.webhook import (
    SIGNATURE_HEADER,
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookVerificationError,
    check_signature,
    parse_body,
    verify_subscription,
)
from saudager.web.context import Web

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"


def add_routes(app: FastAPI, web: Web) -> None:
    services = web.services

    @app.get(PATH, tags=["webhooks"], response_class=PlainTextResponse)
    def whatsapp_verify(request: Request) -> PlainTextResponse:
        """Meta's subscription check: ``hub.challenge`` back when ``hub.verify_token``
        matches the configured ``messaging.verify_token``; 403 otherwise."""
        secret = services.settings.messaging.verify_token
        token = "" if secret is None else secret.get_secret_value()
        try:
            challenge = verify_subscription(dict(request.query_params), token)
        except WebhookVerificationError as exc:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        return PlainTextResponse(challenge)

    @app.post(PATH, tags=["webhooks"])
    async def whatsapp_events(request: Request) -> JSONResponse:
        """Statuses and buyers' messages, signed by Meta (``X-Hub-Signature-256``): 200 once
        applied, 403 for a missing or wrong signature (nothing stored), 400 for a signed body
        that is not a webhook."""
        raw = await request.body()
        secret = services.settings.messaging.app_secret
        try:
            check_signature(
                raw,
                request.headers.get(SIGNATURE_HEADER),
                "" if secret is None else secret.get_secret_value(),
            )
        except WebhookSignatureError as exc:
            log.warning("whatsapp webhook refused: %s", exc)
            raise HTTPException(status_code=403, detail="signature refused") from None
        try:
            batch = parse_body(raw)
        except WebhookPayloadError as exc:
            raise HTTPException(status_code=400, detail=str(exc)) from None
        inbox = services.inbox
        report = await run_in_threadpool(
            inbox.handle, batch.statuses, batch.messages, defer_alerts=True
        )
        # The alerts go once the answer has been sent: a slow notifier must not make Meta
        # time out and deliver the same body again.
        alerts = BackgroundTask(inbox.alert_complaints, report.complaints_to_alert)
        return JSONResponse(
            {
                "statuses": report.statuses,
                "received": report.received,
                "duplicates": report.duplicates,
                "ignored": batch.ignored,
            },
            background=alerts,
        )
