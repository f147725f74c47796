"""Trouble on demand: the failures a client of Kaspi's API must survive.

Faults are queued through ``POST /_sim/faults`` (``count`` requests whose path starts with
``path_prefix`` fail that way) or drawn at random for a share of all API requests
(``fault_rate``, seeded, so a failing run can be replayed). The ASGI middleware here applies
them in front of the Kaspi routes; the admin routes are never faulted.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

KASPI_PREFIX = "/shop/api/v2"
FAULT_KINDS = ("429", "500", "502", "503", "timeout", "truncated", "html")
# Random faults are the ones a client should retry; a stalled request or an HTML page instead of
# JSON would only slow every run down or stop it, so they are queued deliberately only.
RANDOM_KINDS = ("429", "500", "502", "503", "truncated")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_HTML_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Kaspi.kz</title>'
    "</head><body><h1>Kaspi.kz</h1><p>Проверка браузера…</p></body></html>"
)


@dataclass(slots=True)
class Fault:
    kind: str
    remaining: int
    path_prefix: str
    seconds: float  # how long a "timeout" stalls
    retry_after: int  # the Retry-After of a "429", in seconds

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "remaining": self.remaining,
            "path_prefix": self.path_prefix,
            "seconds": self.seconds,
            "retry_after": self.retry_after,
        }


class FaultPlan:
    def __init__(
        self,
        fault_rate: float = 0.0,
        seed: int = 0,
        timeout_seconds: float = 35.0,
        retry_after_seconds: int = 1,
    ) -> None:
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError("fault_rate must be between 0 and 1")
        self.fault_rate = fault_rate
        self.timeout_seconds = timeout_seconds
        self.retry_after_seconds = retry_after_seconds
        self.queued: list[Fault] = []
        self.injected = 0
        self._rng = random.Random(f"{seed}:faults")

    def queue(
        self,
        kind: str,
        count: int = 1,
        path_prefix: str = KASPI_PREFIX,
        seconds: float | None = None,
        retry_after: int | None = None,
    ) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {kind!r}: expected one of {', '.join(FAULT_KINDS)}"
            )
        if count < 1:
            raise ValueError("count must be at least 1")
        fault = Fault(
            kind,
            count,
            path_prefix,
            self.timeout_seconds if seconds is None else seconds,
            self.retry_after_seconds if retry_after is None else retry_after,
        )
        self.queued.append(fault)
        return fault

    def clear(self) -> None:
        self.queued.clear()

    def take(self, path: str) -> Fault | None:
        """The fault for this request, if any: queued ones first, in the order queued."""
        for fault in self.queued:
            if path.startswith(fault.path_prefix):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self.queued.remove(fault)
                self.injected += 1
                return fault
        if self.fault_rate and self._rng.random() < self.fault_rate:
            self.injected += 1
            kind = self._rng.choice(RANDOM_KINDS)
            return Fault(kind, 1, KASPI_PREFIX, self.timeout_seconds, self.retry_after_seconds)
        return None


class FaultInjector:
    """ASGI middleware: Kaspi API requests may meet a fault before (or after) the app runs."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self._app = app
        self._plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        fault = None
        if scope["type"] == "http" and path.startswith(KASPI_PREFIX):
            fault = self._plan.take(path)
        if fault is None:
            await self._app(scope, receive, send)
        elif fault.kind == "timeout":
            # Stall longer than the client waits, then answer normally (to nobody, usually).
            await asyncio.sleep(fault.seconds)
            await self._app(scope, receive, send)
        elif fault.kind == "truncated":
            await self._truncated(scope, receive, send)
        else:
            await _send_fault(send, fault)

    async def _truncated(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A 200 whose JSON stops halfway; the framing is correct, so only parsing fails."""
        start: Message = {}
        body = bytearray()

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self._app(scope, receive, capture)
        cut = bytes(body[: max(1, len(body) // 2)])
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(cut)).encode()))
        await send(
            {"type": "http.response.start", "status": start.get("status", 200), "headers": headers}
        )
        await send({"type": "http.response.body", "body": cut})


async def _send_fault(send: Send, fault: Fault) -> None:
    headers: list[tuple[bytes, bytes]]
    if fault.kind in ("429", "500"):
        title = "Too many requests" if fault.kind == "429" else "Internal server error"
        body = f'{{"errors":[{{"title":"{title}"}}]}}'.encode()
        headers = [(b"content-type", b"application/vnd.api+json")]
        if fault.kind == "429":
            headers.append((b"retry-after", str(fault.retry_after).encode()))
        status = int(fault.kind)
    elif fault.kind == "html":
        # An anti-bot or maintenance page served with 200 instead of JSON.
        body, status = _HTML_PAGE.encode(), 200
        headers = [(b"content-type", b"text/html; charset=utf-8")]
    else:
        # 502/503 come from the proxy in front of the API, as HTML.
        body = f"<html><body><h1>{fault.kind} Bad Gateway</h1></body></html>".encode()
        if fault.kind == "503":
            body = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
        status = int(fault.kind)
        headers = [(b"content-type", b"text/html")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
