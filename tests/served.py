"""Serving the web app over real loopback HTTP in a test: one helper for every test that needs
the app listening (the browser tests, the messaging round trips, the demo's messaging)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


@contextmanager
def serving(app: Any, port: int = 0) -> Iterator[str]:
    """Serve ``app`` on ``port`` (0: a free one) of the loopback in a daemon thread; yields its
    base URL once it accepts connections."""
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=LOOPBACK, port=port, log_level="warning", lifespan="off",
            timeout_graceful_shutdown=1,
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, name="saudager-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{LOOPBACK}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
