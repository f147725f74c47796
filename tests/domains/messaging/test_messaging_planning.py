"""``PlanningService`` on SQLite: the shop's recent orders become outbox messages once, and a
buyer's complaint (from the inbox) turns message 2 into the service follow-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.domains.messaging.inbox_ports import NewInbound
from saudager.domains.messaging.planner import ShopMessaging
from saudager.domains.messaging.planning import PlanningService
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.records import MessageKey
from saudager.domains.messaging.triage import classify_text
from saudager.domains.orders.types import Order, OrderLine
from saudager.domains.shops.types import Shop

NOW = datetime(2026, 11, 24, 7, tzinfo=UTC)
NUMBER = "106540352242922"


def order(code: str, phone: str, status: str) -> Order:
    return Order(
        code=code, created_at=NOW - timedelta(days=2), state="ARCHIVE", status=status,
        total_price=Decimal("5000"), customer_name="Ерлан", customer_phone=phone,
        lines=(OrderLine(line_no=1, sku="MUG", quantity=1, unit_price=Decimal("5000"),
                         total_price=Decimal("5000"), product_name="Кружка"),),
    )  # fmt: skip


def test_orders_become_messages_once_and_a_complaint_gets_the_follow_up(
    sqlite_engine: Engine,
) -> None:
    store = SqlStore(sqlite_engine)
    with store.transaction() as tx:
        shop: Shop = tx.add_shop("Кружки", "Asia/Almaty", None, None)
        tx.upsert_orders(
            shop.id,
            [
                order("1", "+77011110001", "COMPLETED"),
                order("2", "+77011110002", "APPROVED_BY_BANK"),
            ],
        )

    def settings_for(s: Shop) -> ShopMessaging:
        return ShopMessaging(s.id, s.name, NUMBER, holdout_share=Decimal("0"))

    planning = PlanningService(store, settings_for, lambda: NOW)
    first = {(m.key.order_code, m.key.kind): m.template for m in planning.plan_shop(shop)}
    assert first == {
        ("1", "message_2"): "order_delivered_review_v1",  # over: its review request
        ("2", "message_1"): "order_received_v1",  # on its way: message 1 only
    }
    assert planning.plan_shop(shop) == []  # nothing twice

    # The buyer of order 2 answers message 1 with a complaint; then the order is delivered.
    with store.transaction() as tx:
        ours = tx.outbox_message_by_key(MessageKey(shop.id, "2", "message_1"))
        tx.add_inbound(
            NewInbound(
                business_number=NUMBER,
                message=InboundMessage("wamid.in1", "+77011110002", NOW, "Кружка пришла разбитой"),
                triage=classify_text("Кружка пришла разбитой"),
                answered=ours,
            ),
            NOW,
        )
        tx.upsert_orders(shop.id, [order("2", "+77011110002", "COMPLETED")])
    [follow_up] = planning.plan_shop(shop)
    assert (follow_up.key.order_code, follow_up.key.kind) == ("2", "message_2")
    assert (
        follow_up.template == "order_complaint_follow_up_v1"
    )  # never a review request after a complaint
    assert follow_up.button_url_parameter is None
