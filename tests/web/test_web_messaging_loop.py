"""Buyer messages round trip over loopback HTTP: the planner queues them, the dispatcher sends
them through the real Cloud API client to the local fake Cloud API, the fake posts its signed
status webhooks (out of order, duplicated) to the app's webhook endpoint, and a buyer's "стоп"
comes back the same way and is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from saudager.adapters.whatsapp.fake import FakeCloudConfig, running_fake_cloud_api
from saudager.domains.messaging.provider import DeliveryStatus
from saudager.domains.orders.types import Order, OrderLine
from saudager.jobs.dispatch import dispatch_messages_now
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import build_services
from served import serving

BUYERS = ("+77011230001", "+77011230002", "+77011230003")


def an_order(code: str, phone: str, status: str, now: datetime) -> Order:
    return Order(
        code=code, created_at=now - timedelta(days=1), state="ARCHIVE", status=status,
        total_price=Decimal("5990"), customer_name="Дина", customer_phone=phone,
        completed_at=now - timedelta(hours=3) if status == "COMPLETED" else None,
        lines=(OrderLine(line_no=1, sku="MUG", quantity=1, unit_price=Decimal("5990"),
                         total_price=Decimal("5990"), product_name="Кружка"),),
    )  # fmt: skip


def test_sent_delivered_read_and_stop_over_real_http(tmp_path: Path) -> None:
    fake = FakeCloudConfig()
    messaging = {
        "provider": "cloud", "phone_number_id": fake.phone_number_id,
        "access_token": fake.access_token, "app_secret": fake.app_secret,
        "verify_token": "verify-me",
    }  # fmt: skip
    settings = load_settings(None, home=tmp_path, jobs_backend="memory", messaging=messaging)
    services = build_services(settings)
    now = datetime.now(UTC)
    # Midday in Almaty the next day: inside the send window, after every message is due.
    midday = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    midday += timedelta(hours=7)
    try:
        shop = services.add_shop("Кружки", None, None, None)
        orders = [
            an_order("1", BUYERS[0], "APPROVED_BY_BANK", now),
            an_order("2", BUYERS[1], "COMPLETED", now),
            an_order("3", BUYERS[2], "COMPLETED", now),
        ]
        with services.store.transaction() as tx:
            tx.upsert_orders(shop.id, orders)
        with serving(create_app(services)) as app_url:
            config = FakeCloudConfig(webhook_url=f"{app_url}/webhooks/whatsapp", seed=3)
            with running_fake_cloud_api(config) as api:
                planned = services.planning.plan_shop(shop)
                assert len(planned) == 3
                sending = settings.model_copy(
                    update={"messaging": settings.messaging.model_copy(
                        update={"cloud_api_url": api.base_url})}
                )  # fmt: skip
                result = dispatch_messages_now(sending, clock=lambda: midday)
                assert (result["claimed"], result["sent"]) == (3, 3)
                assert api.fake.wait_for_webhooks(timeout=20)
                assert all(hook.delivered for hook in api.fake.webhooks())
                with services.store.transaction() as tx:
                    statuses = {m.to: m.delivery_status for m in tx.outbox_messages(shop.id)}
                assert set(statuses) == set(BUYERS)
                assert set(statuses.values()) <= {DeliveryStatus.DELIVERED, DeliveryStatus.READ}

                api.fake.inject_text(BUYERS[2], "Стоп")
                assert api.fake.wait_for_webhooks(timeout=20)
                with services.store.transaction() as tx:
                    stopped = [o.phone for o in tx.opt_outs(fake.phone_number_id)]
                assert stopped == [BUYERS[2]]
    finally:
        services.close()
