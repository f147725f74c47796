"""The dispatcher as a job: registered on the queue ``saudager worker`` consumes, and one pass
over the configured database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saudager.domains.messaging.provider import SendAccepted, TemplateMessage, TextMessage
from saudager.domains.messaging.records import MessageKey, NewMessage, OutboxState
from saudager.domains.messaging.service import OutboxService
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.jobs.queue import make_queue
from saudager.settings import Settings, load_settings
from saudager.wiring import build_services

NUMBER = "+77270001122"
#: Midday in Almaty: inside the default send window whenever the tests run.
MIDDAY = datetime(2026, 11, 24, 7, tzinfo=UTC)


def at_midday() -> datetime:
    return MIDDAY


class AcceptingProvider:
    def __init__(self) -> None:
        self.received: list[TemplateMessage] = []

    def send_template(self, message: TemplateMessage) -> SendAccepted:
        self.received.append(message)
        return SendAccepted(f"wamid.{len(self.received)}")

    def send_text(self, message: TextMessage) -> SendAccepted:
        raise AssertionError("the outbox sends templates")


def _settings(tmp_path: Path) -> Settings:
    return load_settings(None, home=tmp_path, jobs_backend="memory")


def _enqueue(settings: Settings, orders: int) -> None:
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            shop_id = tx.add_shop("Shop", "Asia/Almaty", None, None).id
        service = OutboxService(services.store, lambda: datetime.now(UTC))
        for n in range(orders):
            service.enqueue(
                NewMessage(
                    key=MessageKey(shop_id, str(n), "order_received"),
                    from_number=NUMBER,
                    to=f"+7701123{n:04d}",  # one buyer each: the caps' gap is per buyer
                    template="order_received_v1",
                    language="ru",
                    body_parameters=(str(n),),
                    due_at=MIDDAY - timedelta(hours=1),  # fresh: due an hour before
                )
            )
    finally:
        services.close()


def test_the_dispatcher_is_a_periodic_job_on_the_queue(tmp_path: Path) -> None:
    queue = make_queue(_settings(tmp_path))
    assert queue.dispatch_messages is not None
    # Due every minute: whatever the time, the scheduler enqueues it.
    due = queue.huey.read_periodic(datetime(2025, 8, 25, 6, 7, tzinfo=UTC))
    assert "dispatch_messages" in {task.name for task in due}


def test_one_pass_sends_every_due_message_once(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _enqueue(settings, 3)
    provider = AcceptingProvider()
    result = dispatch_messages_now(settings, lambda number: provider, clock=at_midday)
    assert (result["claimed"], result["sent"], result["marked_unknown"]) == (3, 3, 0)
    assert dispatch_messages_now(settings, lambda number: provider, clock=at_midday)["claimed"] == 0
    assert len(provider.received) == 3
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            states = {m.state for m in tx.outbox_messages()}
    finally:
        services.close()
    assert states == {OutboxState.SENT}


def _states(settings: Settings) -> dict[OutboxState, int]:
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            states = [m.state for m in tx.outbox_messages()]
    finally:
        services.close()
    return {state: states.count(state) for state in set(states)}


def test_by_default_messages_go_to_the_console(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _settings(tmp_path)
    _enqueue(settings, 2)
    result = dispatch_messages_now(settings, clock=at_midday)
    assert (result["claimed"], result["sent"]) == (2, 2)
    assert capsys.readouterr().out.count("order_received_v1") == 2
    assert _states(settings) == {OutboxState.SENT: 2}


def test_a_number_the_cloud_settings_do_not_configure_fails_visibly(tmp_path: Path) -> None:
    settings = load_settings(
        None, home=tmp_path, jobs_backend="memory", messaging={"provider": "cloud"}
    )
    _enqueue(settings, 1)
    dispatch_messages_now(settings, clock=at_midday)
    assert _states(settings) == {OutboxState.FAILED: 1}


def test_console_sends_from_several_passes_keep_distinct_ids(tmp_path: Path) -> None:
    # Each pass builds its own services (and console provider), as separate worker runs do.
    settings = _settings(tmp_path)
    _enqueue(settings, 1)
    assert dispatch_messages_now(settings, clock=at_midday)["sent"] == 1
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            shop_id = tx.shop_by_name("Shop").id
        OutboxService(services.store, lambda: datetime.now(UTC)).enqueue(
            NewMessage(
                key=MessageKey(shop_id, "later", "order_received"), from_number=NUMBER,
                to="+77011234567", template="order_received_v1", language="ru",
                body_parameters=("later",), due_at=MIDDAY - timedelta(hours=1),
            )
        )  # fmt: skip
    finally:
        services.close()
    assert dispatch_messages_now(settings, clock=at_midday)["sent"] == 1
    assert _states(settings) == {OutboxState.SENT: 2}
