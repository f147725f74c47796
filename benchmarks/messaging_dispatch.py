"""Buyer messages: scheduling 100,000 due messages, and dispatching to the fake Cloud API.

1. schedule: 100,000 messages (one per order, message 1) put into the outbox of a fresh SQLite
   database, 1,000 per transaction, through the store's ``enqueue_message`` (the idempotent
   insert the service uses).
2. dispatch: ``--send`` of them (default 5,000) sent by ``jobs.dispatch.dispatch_pass`` — claim
   in one transaction, ``CloudApiProvider.send_template`` over loopback HTTP to the local fake
   Cloud API (``adapters.whatsapp.fake``), record in a second transaction — one message at a
   time, as the dispatcher runs. Checked: the fake accepted each message exactly once, and
   every sent message is ``sent`` in the outbox with the fake's id.
3. gated dispatch: ``--send`` more, each through the dispatcher's gate as ``saudager worker``
   runs it (the shop's send window — set around the present moment —, opt-outs, the kill
   switch, the caps with a warmed-up number whose tier is not the limit; buyers all distinct):
   the gate's reads are one more transaction per message.
4. baseline, in the same run: the same number of template requests posted by a bare httpx
   client to the same fake (no database, no outbox): the least any sender must do. The ratio
   dispatch / baseline is printed.

    python benchmarks/messaging_dispatch.py [--messages 100000] [--send 5000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.adapters.whatsapp.cloud import DEFAULT_VERSION, CloudApiProvider
from saudager.adapters.whatsapp.fake import FakeCloudConfig, running_fake_cloud_api
from saudager.domains.messaging.caps import CapRules
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import Gate
from saudager.domains.messaging.setup import InstallDefaults
from saudager.jobs.dispatch import dispatch_pass

TEMPLATE = "order_received_v1"  # the fake's: four body parameters


def message(shop_id: int, number: str, n: int, due: datetime) -> NewMessage:
    return NewMessage(
        key=MessageKey(shop_id, f"{100_000_000 + n}", "order_received"),
        from_number=number,
        to=f"+7701{n % 10_000_000:07d}",
        template=TEMPLATE,
        language="ru",
        body_parameters=("Айгерим", f"{100_000_000 + n}", "Чайник", "Магазин"),
        due_at=due,
    )


def open_gate(store: SqlStore, now: datetime) -> Gate:
    """The worker's gate with the shop's window open around ``now`` and a number warmed up
    past its ramp, at a tier that does not bind: what is measured is the gate's cost."""
    local = now.astimezone(ZoneInfo("Asia/Almaty"))
    window = InstallDefaults(
        (local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        (local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
    )
    caps = CapRules(daily_tier=1_000_000, warm_up=((1, 1_000_000),))
    return Gate(store, window, caps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--send", type=int, default=5_000)
    args = parser.parse_args()
    config = FakeCloudConfig()
    number = config.phone_number_id
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as home:
        engine = create_engine_for(f"sqlite:///{Path(home) / 'saudager.db'}")
        upgrade_to_head(engine)
        store = SqlStore(engine)
        with store.transaction() as tx:
            shop_id = tx.add_shop("bench", "Asia/Almaty", None, None).id

        started = time.perf_counter()
        for first in range(0, args.messages, 1_000):
            with store.transaction() as tx:
                for n in range(first, min(first + 1_000, args.messages)):
                    tx.enqueue_message(message(shop_id, number, n, now), now)
        scheduled = time.perf_counter() - started
        print(f"schedule {args.messages:,} due messages: {scheduled:.2f} s "
              f"({args.messages / scheduled:,.0f} messages/s)")  # fmt: skip

        with running_fake_cloud_api(config) as api:
            url = f"{api.base_url}/{DEFAULT_VERSION}/{number}/messages"
            body = {
                "messaging_product": "whatsapp", "recipient_type": "individual", "type": "template",
                "template": {"name": TEMPLATE, "language": {"code": "ru"}, "components": [
                    {"type": "body", "parameters": [
                        {"type": "text", "text": t} for t in ("Айгерим", "1", "Чайник", "Магазин")
                    ]},
                ]},
            }  # fmt: skip
            with httpx.Client(headers={"Authorization": f"Bearer {config.access_token}"}) as bare:
                started = time.perf_counter()
                for n in range(args.send):
                    answer = bare.post(url, json={**body, "to": f"+7702{n:07d}"})
                    answer.raise_for_status()
                baseline = time.perf_counter() - started
            before = len(api.fake.accepted())

            with CloudApiProvider(number, config.access_token, base_url=api.base_url) as cloud:
                started = time.perf_counter()
                report = dispatch_pass(store, lambda _number: cloud, limit=args.send)
                dispatched = time.perf_counter() - started
                gate = open_gate(store, now)
                started = time.perf_counter()
                gated = dispatch_pass(store, lambda _number: cloud, limit=args.send, gate=gate)
                gated_time = time.perf_counter() - started
            accepted = api.fake.accepted()[before:]

        with store.transaction() as tx:
            rows = [m for m in tx.outbox_messages() if m.state is OutboxState.SENT]
        engine.dispose()

    twice = [key for key, count in Counter(m.callback_data for m in accepted).items() if count > 1]
    ids = {m.wamid for m in accepted}
    recorded = all(m.provider_message_id in ids for m in rows)
    print(f"baseline, bare httpx posts to the fake: {args.send:,} in {baseline:.2f} s "
          f"({args.send / baseline:,.0f}/s)")  # fmt: skip
    print(f"dispatch through the outbox: {report['sent']:,} sent of {report['claimed']:,} "
          f"claimed in {dispatched:.2f} s ({report['sent'] / dispatched:,.0f} messages/s; "
          f"target ≥ 200/s: {'met' if report['sent'] / dispatched >= 200 else 'NOT met'})")  # fmt: skip
    print(f"dispatch through the outbox and the gate: {gated['sent']:,} sent of "
          f"{gated['claimed']:,} claimed in {gated_time:.2f} s "
          f"({gated['sent'] / gated_time:,.0f} messages/s; postponed {gated['postponed']}, "
          f"cancelled {gated['cancelled']})")  # fmt: skip
    print(
        f"ratio gated dispatch / baseline throughput: "
        f"{(gated['sent'] / gated_time) / (args.send / baseline):.2f}"
    )
    print(
        f"ratio dispatch / baseline throughput: {(report['sent'] / dispatched) / (args.send / baseline):.2f}"
    )
    print(f"check: accepted by the fake {len(accepted):,}, accepted twice {len(twice)}, "
          f"sent rows {len(rows):,}, every sent row carries the fake's id: {recorded}")  # fmt: skip


if __name__ == "__main__":
    main()
