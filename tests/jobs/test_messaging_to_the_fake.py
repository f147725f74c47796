"""Planned messages go out through the real Cloud API client to the local fake Cloud API over
loopback HTTP: the fake checks each template's name, language and parameter count, and takes
every message exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.adapters.whatsapp.cloud import CloudApiProvider
from saudager.adapters.whatsapp.fake import FakeCloudConfig, running_fake_cloud_api
from saudager.domains.messaging.caps import CapRules
from saudager.domains.messaging.planner import ShopMessaging, plan
from saudager.domains.messaging.records import OutboxState
from saudager.domains.messaging.service import Gate, OutboxService
from saudager.domains.messaging.setup import InstallDefaults
from saudager.domains.messaging.templates import Language
from saudager.domains.orders.types import Order, OrderLine

NOON = datetime(2026, 11, 24, 7, tzinfo=UTC)  # 12:00 in Almaty


def an_order(code: str, phone: str, status: str) -> Order:
    done = status == "COMPLETED"
    return Order(
        code=code, created_at=NOON - timedelta(days=2), state="ARCHIVE" if done else "NEW",
        status=status, total_price=Decimal("15990"), customer_name="Айгерим Сапарова",
        customer_phone=phone, completed_at=NOON - timedelta(hours=1) if done else None,
        lines=(OrderLine(line_no=1, sku="KETTLE-1", quantity=1, unit_price=Decimal("15990"),
                         total_price=Decimal("15990"), product_name="Чайник Tefal"),),
    )  # fmt: skip


def test_every_language_and_kind_is_taken_by_the_fake_once(sqlite_engine: Engine) -> None:
    config = FakeCloudConfig()
    store = SqlStore(sqlite_engine)
    orders = [
        an_order(f"{n}{status[0]}", f"+77011{k}{n:05d}", status)  # one buyer each
        for n in range(3)
        for k, status in enumerate(("APPROVED_BY_BANK", "COMPLETED"))
    ]
    with store.transaction() as tx:
        shop_id = tx.add_shop("Магазин", "Asia/Almaty", None, None).id
        tx.upsert_orders(shop_id, orders)
    outbox = OutboxService(
        store, lambda: NOON, gate=Gate(store, InstallDefaults(time(10), time(21)), CapRules())
    )
    for language in Language:
        shop = ShopMessaging(
            shop_id, "Магазин", config.phone_number_id, language, holdout_share=Decimal("0")
        )
        chosen = [o for o in orders if o.code.startswith(str(list(Language).index(language)))]
        for message in plan(shop, chosen, [], planned=set(), complained=set(), now=NOON):
            outbox.enqueue(message)
    with (
        running_fake_cloud_api(config) as api,
        CloudApiProvider(
            config.phone_number_id, config.access_token, base_url=api.base_url
        ) as cloud,
    ):
        report = outbox.dispatch(lambda number: cloud)
        accepted = api.fake.accepted()
    assert (report.claimed, report.sent, report.failed) == (6, 6, 0)
    assert sorted(Counter((m.template, m.language) for m in accepted).items()) == sorted(
        ((t, lang.value), 1)
        for lang in Language
        for t in ("order_received_v1", "order_delivered_review_v1")
    )
    assert max(Counter(m.callback_data for m in accepted).values()) == 1
    with store.transaction() as tx:
        assert {m.state for m in tx.outbox_messages()} == {OutboxState.SENT}
