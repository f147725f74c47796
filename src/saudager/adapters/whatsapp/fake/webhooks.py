"""Webhook bodies as Meta sends them, and a thread that posts them.

Bodies are ASCII-escaped JSON with ``/`` → ``\\/`` and ``@`` → ``\\u0040`` (reference §2.7), so
a receiver that re-serialises before checking the signature fails; each POST carries
``X-Hub-Signature-256`` over exactly those bytes. Non-200 answers are retried a few times.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from saudager.adapters.whatsapp.webhook import SIGNATURE_HEADER, signature_for

log = logging.getLogger(__name__)


def escaped_json(payload: dict[str, Any]) -> bytes:
    """``payload`` rendered the way Meta signs it: every non-ASCII character, ``/`` and ``@``
    escaped, lowercase hex."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").replace("@", "\\u0040").encode("ascii")


@dataclass(frozen=True, slots=True)
class PostedWebhook:
    """One webhook body and what became of it."""

    body: bytes
    signature: str
    #: The receiver's last HTTP status; ``None`` when it could not be reached or no URL is set.
    status_code: int | None
    attempts: int

    @property
    def delivered(self) -> bool:
        return self.status_code == 200

    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class WebhookSender:
    """Posts queued bodies, in order, from one daemon thread."""

    def __init__(self, app_secret: str, url: str | None, retries: int = 3) -> None:
        self._secret = app_secret
        self.url = url
        self._retries = retries
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._lock = threading.Lock()
        self._posted: list[PostedWebhook] = []
        self._thread = threading.Thread(target=self._run, name="fake-cloud-webhooks", daemon=True)
        self._thread.start()

    def enqueue(self, body: bytes) -> None:
        self._queue.put(body)

    def posted(self) -> list[PostedWebhook]:
        with self._lock:
            return list(self._posted)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued body was posted (or given up); ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with httpx.Client(timeout=5.0) as client:
            while True:
                body = self._queue.get()
                try:
                    if body is None:
                        return
                    self._post(client, body)
                finally:
                    self._queue.task_done()

    def _post(self, client: httpx.Client, body: bytes) -> None:
        signature = signature_for(body, self._secret)
        status: int | None = None
        attempts = 0
        url = self.url
        while url is not None and attempts <= self._retries:
            attempts += 1
            try:
                response = client.post(
                    url,
                    content=body,
                    headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature},
                )
                status = response.status_code
            except httpx.HTTPError as exc:
                log.debug("fake cloud webhook post failed: %s", type(exc).__name__)
                status = None
            if status == 200:
                break
            time.sleep(0.05 * attempts)
        with self._lock:
            self._posted.append(PostedWebhook(body, signature, status, attempts))
