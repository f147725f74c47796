"""The fake Cloud API as an ASGI app, served by uvicorn on loopback.

Routes:

- ``POST /{version}/{phone_number_id}/messages``: the send endpoint (reference §2.4–2.5, §7);
- ``GET /_fake/messages``: every accepted message, for a look from outside the process;
- ``POST /_fake/inbound``: ``{"from", "text"}`` or ``{"from", "button_payload", "text"}``,
  optional ``"context_id"``: a buyer's message, posted on as a signed webhook.

``running_fake_cloud_api`` serves it from a daemon thread on a free port for the tests and the
demo; ``serve_fake_cloud_api`` runs it in the foreground.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from saudager.adapters.whatsapp.fake.state import FakeCloudApi, FakeCloudConfig

LOOPBACK = "127.0.0.1"
_VERSION = re.compile(r"^v\d+\.\d+$")


def create_app(fake: FakeCloudApi) -> Starlette:
    async def send(request: Request) -> Response:
        version = request.path_params["version"]
        if not _VERSION.match(version):
            return JSONResponse({"error": {"message": "Unknown path", "code": 100}}, 400)
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        answer = fake.handle_send(
            request.headers.get("authorization"), request.path_params["phone_number_id"], body
        )
        if answer.hang_seconds is not None:
            await asyncio.sleep(answer.hang_seconds)
        return JSONResponse(answer.body, answer.status_code, headers=answer.headers)

    async def messages(request: Request) -> Response:
        rows = [
            {**asdict(m), "at": m.at.isoformat(), "body_parameters": list(m.body_parameters)}
            for m in fake.accepted()
        ]
        return JSONResponse(rows)

    async def inbound(request: Request) -> Response:
        try:
            data = json.loads(await request.body())
            sender = str(data["from"])
            text = str(data["text"])
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "need 'from' and 'text'"}, 400)
        context = data.get("context_id")
        context_id = str(context) if context is not None else None
        payload = data.get("button_payload")
        if payload is None:
            wamid = fake.inject_text(sender, text, context_id=context_id)
        else:
            wamid = fake.inject_button(sender, str(payload), text, context_id=context_id)
        return JSONResponse({"id": wamid})

    app = Starlette(
        routes=[
            Route("/_fake/messages", messages, methods=["GET"]),
            Route("/_fake/inbound", inbound, methods=["POST"]),
            Route("/{version}/{phone_number_id}/messages", send, methods=["POST"]),
        ]
    )
    app.state.fake = fake
    return app


@dataclass(frozen=True, slots=True)
class RunningFakeCloudApi:
    """A fake Cloud API serving in a background thread."""

    base_url: str  # http://127.0.0.1:PORT — what ``CloudApiProvider`` takes as ``base_url``
    fake: FakeCloudApi

    @property
    def config(self) -> FakeCloudConfig:
        return self.fake.config


@contextmanager
def running_fake_cloud_api(
    config: FakeCloudConfig | None = None,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    clock: Callable[[], datetime] | None = None,
) -> Iterator[RunningFakeCloudApi]:
    """Serve the fake over real HTTP in a daemon thread; ``port=0`` picks a free port.

    ``clock`` (default: the current UTC time) drives the limits, the 24-hour window and the
    webhook timestamps.
    """
    fake = FakeCloudApi(config) if clock is None else FakeCloudApi(config, clock=clock)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(fake), host=host, port=port, log_level="warning", lifespan="off",
            # Do not wait for requests the fake is hanging on purpose when stopping.
            timeout_graceful_shutdown=1,
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, name="fake-cloud-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the fake Cloud API did not start on {host}:{port}")
            time.sleep(0.01)
        bound_port = server.servers[0].sockets[0].getsockname()[1]
        yield RunningFakeCloudApi(f"http://{host}:{bound_port}", fake)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        fake.close()


def serve_fake_cloud_api(
    config: FakeCloudConfig | None = None, *, host: str = LOOPBACK, port: int = 8790
) -> None:
    """Run the fake in the foreground until interrupted."""
    fake = FakeCloudApi(config)
    try:
        uvicorn.run(create_app(fake), host=host, port=port, log_level="warning")
    finally:
        fake.close()
