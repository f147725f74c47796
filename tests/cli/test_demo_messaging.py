"""The demo's messaging over real loopback HTTP: the planner, the dispatcher's gate and the
Cloud API client against the local fake, whose signed webhooks reach the served app; the
simulated buyers' replies land in the inbox (a complaint, a question, thanks, a stop)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from saudager.adapters.whatsapp.fake import FakeCloudConfig
from saudager.cli.demo_messaging import (
    BUYER_REPLIES,
    demo_messaging,
    demo_window,
    messaging_settings,
)
from saudager.domains.messaging.records import OutboxState
from saudager.domains.messaging.triage import Category
from saudager.domains.messaging.windows import SendWindow
from saudager.domains.orders.types import Order, OrderLine
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import build_services
from served import serving

BUYERS = tuple(f"+7701123000{n}" for n in range(1, 6))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def an_order(code: str, phone: str, now: datetime) -> Order:
    return Order(
        code=code, created_at=now - timedelta(days=1), state="ARCHIVE", status="COMPLETED",
        completed_at=now - timedelta(hours=2), total_price=Decimal("5990"),
        customer_name="Дина", customer_phone=phone,
        lines=(OrderLine(line_no=1, sku="MUG", quantity=1, unit_price=Decimal("5990"),
                         total_price=Decimal("5990"), product_name="Кружка"),),
    )  # fmt: skip


def test_the_demo_sends_through_the_fake_and_buyers_answer(tmp_path: Path) -> None:
    settings = load_settings(None, home=tmp_path, jobs_backend="memory")
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    # The app checks webhook signatures with the fake's app secret, as the demo's does.
    app_settings = messaging_settings(settings, "http://unused", FakeCloudConfig())
    services = build_services(app_settings)
    now = datetime.now(UTC)
    try:
        shop = services.add_shop("demo", None, None, None)
        with services.store.transaction() as tx:
            tx.upsert_orders(shop.id, [an_order(str(n), b, now) for n, b in enumerate(BUYERS)])
        # The shop's own window around the present moment, whenever the test runs (the window
        # itself is tested in tests/jobs/test_dispatch_gate.py).
        local = now.astimezone(ZoneInfo(shop.timezone)).replace(second=0, microsecond=0)
        services.messaging_setup.set_window(
            shop, (local - timedelta(hours=1)).time(), (local + timedelta(hours=2)).time()
        )
        with (
            serving(create_app(services), port),
            demo_messaging(settings, shop, app_url) as (demo_settings, dispatcher),
        ):
            assert demo_settings.messaging.enabled
            first = dispatcher.one_pass()
            assert first["sent"] == len(BUYERS)  # one review request each
            fake = dispatcher.fake.fake
            assert fake.wait_for_webhooks(timeout=20)
            assert all(hook.delivered for hook in fake.webhooks())
            assert len(fake.accepted()) == len(BUYERS)
            second = dispatcher.one_pass()  # nothing new to send; the buyers answer now
            assert second["claimed"] == 0
            assert fake.wait_for_webhooks(timeout=20)
        with services.store.reading() as tx:
            inbound = tx.inbound_messages(shop.id)
            stopped = [o.phone for o in tx.opt_outs(demo_settings.messaging.phone_number_id)]
            sent = [m for m in tx.outbox_messages(shop.id) if m.state is OutboxState.SENT]
        assert sorted(r.message.text for r in inbound) == sorted(BUYER_REPLIES)
        categories = {r.message.text: r.triage.category for r in inbound}
        assert categories[BUYER_REPLIES[0]] is Category.COMPLAINT
        assert categories[BUYER_REPLIES[3]] is Category.OPT_OUT
        assert all(r.order_code is not None for r in inbound)  # each matched to its order
        assert len(stopped) == 1 and len(sent) == len(BUYERS)
        assert all(m.delivery_status is not None for m in sent)
    finally:
        services.close()


def test_the_demo_opens_its_own_window_only_when_the_default_is_shut() -> None:
    default = SendWindow(time(10), time(21), "Asia/Almaty")
    noon = datetime(2026, 11, 24, 7, tzinfo=UTC)  # 12:00 in Almaty (UTC+5)
    assert demo_window(noon, "Asia/Almaty", default) is None
    evening = datetime(2026, 11, 24, 17, 0, 30, tzinfo=UTC)  # 22:00:30 in Almaty
    assert demo_window(evening, "Asia/Almaty", default) == (time(21), time(1))
