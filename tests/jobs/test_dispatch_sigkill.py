"""Exactly once under SIGKILL: a real dispatcher process, killed at random points, restarted.

Each of 20 trials puts 50 messages in a fresh outbox (SQLite), starts a dispatcher process that
sends them as ``saudager worker`` does — through the gate (the shop's window open around the
present, the caps of a new number) and the Cloud API client — to the local fake Cloud API over
loopback HTTP (which records every message it takes before answering, 4 ms later), kills it
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

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.store import SqlStore
from saudager.adapters.whatsapp.fake import FakeCloudConfig, running_fake_cloud_api
from saudager.adapters.whatsapp.fake.server import RunningFakeCloudApi
from saudager.domains.messaging.provider import DeliveryStatus, StatusUpdate
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import OutboxService

TRIALS = 20
MESSAGES = 50
ANSWER_DELAY_SECONDS = 0.004  # between the fake taking a message and answering
NUMBER = FakeCloudConfig().phone_number_id
SEED = int(os.environ.get("SAUDAGER_SIGKILL_SEED", "20261124"))


@contextmanager
def fake_cloud() -> Iterator[RunningFakeCloudApi]:
    """A fresh fake for each trial: it records what it takes before answering, 4 ms later."""
    with running_fake_cloud_api(FakeCloudConfig(answer_delay_seconds=ANSWER_DELAY_SECONDS)) as api:
        yield api


DISPATCHER = textwrap.dedent(
    """
    import json, sys
    from datetime import timedelta

    from saudager.adapters.db.engine import create_engine_for
    from saudager.adapters.db.store import SqlStore
    from saudager.adapters.whatsapp.cloud import CloudApiProvider
    from saudager.jobs.dispatch import dispatch_pass

    from datetime import time
    from saudager.domains.messaging.caps import CapRules
    from saudager.domains.messaging.service import Gate
    from saudager.domains.messaging.setup import InstallDefaults

    url, fake_url, claim_timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    token, number, opens, closes = sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
    engine = create_engine_for(url)
    store = SqlStore(engine)
    provider = CloudApiProvider(number, token, base_url=fake_url)
    # The worker's gate, the shop's window open around the present moment.
    window = InstallDefaults(time.fromisoformat(opens), time.fromisoformat(closes))
    gate = Gate(store, window, CapRules())
    print("ready", flush=True)
    result = dispatch_pass(
        store, lambda number: provider, claim_timeout=timedelta(seconds=claim_timeout), gate=gate
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
                from_number=NUMBER,
                to=f"+7701{n:07d}",  # every buyer distinct: the caps' gap is per buyer
                template="order_received_v1",
                language="ru",
                body_parameters=("Айгерим", "Кружки", f"5000{n:05d}", "Кружка"),
                due_at=datetime.now(UTC),
            )
        )
    engine.dispose()
    return url


def _start(
    script: Path, url: str, api: RunningFakeCloudApi, claim_timeout: float
) -> subprocess.Popen[str]:
    config = api.config
    local = datetime.now(ZoneInfo("Asia/Almaty"))
    window = [f"{local - timedelta(hours=1):%H:%M}", f"{local + timedelta(hours=2):%H:%M}"]
    arguments = [url, api.base_url, str(claim_timeout), config.access_token, config.phone_number_id]
    arguments += window
    process = subprocess.Popen(
        [sys.executable, str(script), *arguments],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


@pytest.mark.slow
def test_a_dispatcher_killed_at_random_points_sends_nothing_twice_and_loses_nothing(
    sqlite_template: Path, tmp_path: Path
) -> None:
    script = tmp_path / "dispatcher.py"
    script.write_text(DISPATCHER)
    rng = random.Random(SEED)
    caught_in_the_window = 0  # received by the provider, not recorded: the case that matters
    for trial in range(TRIALS):
        with fake_cloud() as api:
            url = _fresh_outbox(sqlite_template, tmp_path / f"trial{trial}.db")
            first = _start(script, url, api, 600.0)
            time.sleep(rng.uniform(0.0, MESSAGES * ANSWER_DELAY_SECONDS * 3))
            first.send_signal(signal.SIGKILL)
            first.wait()
            assert first.stdout is not None
            first.stdout.close()
            # The restart: the killed dispatcher's claims are settled at once, then the rest.
            second = _start(script, url, api, 0.0)
            out, _ = second.communicate(timeout=60)
            assert second.returncode == 0, out
            taken = api.fake.accepted()
        received = Counter(m.callback_data for m in taken)
        ids: dict[str, list[str]] = {}
        for m in taken:
            assert m.callback_data is not None
            ids.setdefault(m.callback_data, []).append(m.wamid)

        engine = create_engine_for(url)
        with SqlStore(engine).transaction() as tx:
            messages = tx.outbox_messages()
        engine.dispose()
        context = f"trial {trial}, seed {SEED}"
        assert len(messages) == MESSAGES
        assert [c for c, n in received.items() if n > 1] == [], f"sent twice ({context})"
        states = Counter(m.state for m in messages)
        assert set(states) <= {OutboxState.SENT, OutboxState.UNKNOWN}, f"{states} ({context})"
        unknown = {m.callback_data for m in messages if m.state == OutboxState.UNKNOWN}
        for message in messages:
            if message.state == OutboxState.SENT:
                assert ids.get(message.callback_data) == [message.provider_message_id]
        unrecorded = {c for c in received if c not in {m.callback_data for m in messages
                                                        if m.state == OutboxState.SENT}}  # fmt: skip
        assert unrecorded <= unknown, f"received, not recorded, not unknown ({context})"
        assert len(unknown - unrecorded) <= 1, f"unknown and never received ({context})"
        caught_in_the_window += len(unrecorded)

        # Then the provider's status webhooks arrive, carrying our callback data: every message
        # it received ends sent under its id; unknown stays only what it never received.
        engine = create_engine_for(url)
        service = OutboxService(SqlStore(engine), lambda: datetime.now(UTC))
        for callback, (wamid,) in ids.items():
            service.record_status(
                StatusUpdate(wamid, DeliveryStatus.SENT, datetime.now(UTC), "+7", callback)
            )
        with SqlStore(engine).transaction() as tx:
            settled = {m.callback_data: m for m in tx.outbox_messages()}
        engine.dispose()
        for callback, (wamid,) in ids.items():
            assert settled[callback].state == OutboxState.SENT, context
            assert settled[callback].provider_message_id == wamid, context
        still_unknown = {c for c, m in settled.items() if m.state == OutboxState.UNKNOWN}
        assert still_unknown == unknown - unrecorded, context
    # The kills are random; the schedule above lands some inside the provider call.
    print(f"messages received but unrecorded at the kill: {caught_in_the_window}")
