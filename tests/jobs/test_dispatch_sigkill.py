"""Exactly once under SIGKILL: a real dispatcher process, killed at random points, restarted.

Each of 20 trials puts 50 messages in a fresh outbox (SQLite), starts a dispatcher process that
sends them through the Cloud API client to a local HTTP stub recording every request, kills it
with SIGKILL at a random moment, and restarts it to the end (the restart settles the dead
dispatcher's claims at once: no dispatcher is alive then). Checked after each trial:

- the provider never received a message twice;
- none is lost: every message ends ``sent`` or ``unknown``;
- every ``sent`` message was received once, under the provider id we stored;
- every message the provider received but we did not record as sent is ``unknown``; and an
  ``unknown`` message the provider never received is the one claimed in the instant between
  the claim's commit and the HTTP request (at most one per kill: the dispatcher claims one
  message at a time);
- once the provider's status webhooks (with our callback data) are recorded, every message it
  received is ``sent`` under its id, and only those it never received stay ``unknown``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.provider import DeliveryStatus, StatusUpdate
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import OutboxService

TRIALS = 20
MESSAGES = 50
STUB_DELAY_SECONDS = 0.004  # between receiving a request and answering it
SEED = int(os.environ.get("SAUDAGER_SIGKILL_SEED", "20261124"))


class RecordingStub:
    """A Cloud API ``/messages`` endpoint that records each request before it answers."""

    def __init__(self) -> None:
        self.received: list[str] = []  # callback data, in arrival order
        self.ids: dict[str, list[str]] = {}  # callback data → the ids we answered with
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                callback = body["biz_opaque_callback_data"]
                with stub._lock:
                    stub.received.append(callback)
                    wamid = f"wamid.{len(stub.received)}"
                    stub.ids.setdefault(callback, []).append(wamid)
                time.sleep(STUB_DELAY_SECONDS)
                answer = json.dumps(
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": body["to"], "wa_id": body["to"][1:]}],
                        "messages": [{"id": wamid, "message_status": "accepted"}],
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.ids.clear()


@pytest.fixture(scope="module")
def stub() -> Iterator[RecordingStub]:
    running = RecordingStub()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


DISPATCHER = textwrap.dedent(
    """
    import json, sys
    from datetime import timedelta

    from saudager.adapters.db.engine import create_engine_for
    from saudager.adapters.db.store import SqlStore
    from saudager.adapters.whatsapp.cloud import CloudApiProvider
    from saudager.jobs.dispatch import dispatch_pass

    url, stub_url, claim_timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    engine = create_engine_for(url)
    provider = CloudApiProvider("106540352242922", "test-token", base_url=stub_url)
    print("ready", flush=True)
    result = dispatch_pass(
        SqlStore(engine), lambda number: provider, claim_timeout=timedelta(seconds=claim_timeout)
    )
    print(json.dumps(result), flush=True)
    """
)


def _fresh_outbox(template: Path, path: Path) -> str:
    path.write_bytes(template.read_bytes())
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    store = SqlStore(engine)
    service = OutboxService(store, lambda: datetime.now(UTC))
    with store.transaction() as tx:
        shop_id = tx.add_shop("Shop", "Asia/Almaty", None, None).id
    for n in range(MESSAGES):
        service.enqueue(
            NewMessage(
                key=MessageKey(shop_id, f"5000{n:05d}", "order_received"),
                from_number="+77270001122",
                to=f"+7701{n:07d}",
                template="order_received_v1",
                language="ru",
                body_parameters=("Айгерим", f"5000{n:05d}"),
                due_at=datetime(2025, 1, 1, tzinfo=UTC),
            )
        )
    engine.dispose()
    return url


def _start(script: Path, url: str, stub_url: str, claim_timeout: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(script), url, stub_url, str(claim_timeout)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
def test_a_dispatcher_killed_at_random_points_sends_nothing_twice_and_loses_nothing(
    stub: RecordingStub, sqlite_template: Path, tmp_path: Path
) -> None:
    script = tmp_path / "dispatcher.py"
    script.write_text(DISPATCHER)
    rng = random.Random(SEED)
    caught_in_the_window = 0  # received by the provider, not recorded: the case that matters
    for trial in range(TRIALS):
        stub.reset()
        url = _fresh_outbox(sqlite_template, tmp_path / f"trial{trial}.db")
        first = _start(script, url, stub.url, 600.0)
        time.sleep(rng.uniform(0.0, MESSAGES * STUB_DELAY_SECONDS * 1.5))
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert first.stdout is not None
        first.stdout.close()
        # The restart: the killed dispatcher's claims are settled at once, then the rest sent.
        second = _start(script, url, stub.url, 0.0)
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0, out

        engine = create_engine_for(url)
        with SqlStore(engine).transaction() as tx:
            messages = tx.outbox_messages()
        engine.dispose()
        received = Counter(stub.received)
        context = f"trial {trial}, seed {SEED}"
        assert len(messages) == MESSAGES
        assert [c for c, n in received.items() if n > 1] == [], f"sent twice ({context})"
        states = Counter(m.state for m in messages)
        assert set(states) <= {OutboxState.SENT, OutboxState.UNKNOWN}, f"{states} ({context})"
        unknown = {m.callback_data for m in messages if m.state == OutboxState.UNKNOWN}
        for message in messages:
            if message.state == OutboxState.SENT:
                assert stub.ids.get(message.callback_data) == [message.provider_message_id]
        unrecorded = {c for c in received if c not in {m.callback_data for m in messages
                                                        if m.state == OutboxState.SENT}}  # fmt: skip
        assert unrecorded <= unknown, f"received, not recorded, not unknown ({context})"
        assert len(unknown - unrecorded) <= 1, f"unknown and never received ({context})"
        caught_in_the_window += len(unrecorded)

        # Then the provider's status webhooks arrive, carrying our callback data: every message
        # it received ends sent under its id; unknown stays only what it never received.
        engine = create_engine_for(url)
        service = OutboxService(SqlStore(engine), lambda: datetime.now(UTC))
        for callback, (wamid,) in stub.ids.items():
            service.record_status(
                StatusUpdate(wamid, DeliveryStatus.SENT, datetime.now(UTC), "+7", callback)
            )
        with SqlStore(engine).transaction() as tx:
            settled = {m.callback_data: m for m in tx.outbox_messages()}
        engine.dispose()
        for callback, (wamid,) in stub.ids.items():
            assert settled[callback].state == OutboxState.SENT, context
            assert settled[callback].provider_message_id == wamid, context
        still_unknown = {c for c, m in settled.items() if m.state == OutboxState.UNKNOWN}
        assert still_unknown == unknown - unrecorded, context
    # The kills are random; the schedule above lands some inside the provider call.
    print(f"messages received but unrecorded at the kill: {caught_in_the_window}")
