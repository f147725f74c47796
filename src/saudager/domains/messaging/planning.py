"""Where the planner meets IO: read a shop's recent orders, what its outbox already holds and
which buyers complained; put the messages the flows call for into the outbox.

Run after each sync (new orders, orders delivered) and by ``saudager messages plan``. Idempotent:
the outbox keeps one message 1 and one message 2 per order, so running it again adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Protocol

from saudager.domains.messaging.inbox_ports import InboundRecord
from saudager.domains.messaging.planner import ShopMessaging, plan
from saudager.domains.messaging.records import NewMessage, OutboxMessage
from saudager.domains.messaging.triage import Category
from saudager.domains.orders.types import Order, Return
from saudager.domains.shops.types import Shop

#: Orders created this long ago or later are looked at: message 2 goes within days of
#: delivery, never for an order of last season.
PLANNING_DAYS = 30


class PlanningTx(Protocol):
    def list_orders(
        self, shop_id: int, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> list[Order]: ...

    def list_returns(self, shop_id: int) -> list[Return]: ...

    def outbox_messages(self, shop_id: int | None = None) -> list[OutboxMessage]: ...

    def inbound_messages(
        self, shop_id: int | None, *, waiting_only: bool = False
    ) -> list[InboundRecord]: ...

    def enqueue_message(self, message: NewMessage, now: datetime) -> tuple[OutboxMessage, bool]: ...


class PlanningStore(Protocol):
    def transaction(self) -> AbstractContextManager[PlanningTx]: ...

    def reading(self) -> AbstractContextManager[PlanningTx]: ...


class PlanningService:
    def __init__(
        self,
        store: PlanningStore,
        settings_for: Callable[[Shop], ShopMessaging],
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._settings_for = settings_for
        self._clock = clock

    def plan_shop(self, shop: Shop) -> list[NewMessage]:
        """Enqueue what the shop's recent orders call for; returns the messages added."""
        now = self._clock()
        with self._store.reading() as tx:
            orders = tx.list_orders(shop.id, created_from=now - timedelta(days=PLANNING_DAYS))
            returns = tx.list_returns(shop.id)
            planned = {(m.key.order_code, m.key.kind) for m in tx.outbox_messages(shop.id)}
            complained = {
                record.order_code
                for record in tx.inbound_messages(shop.id)
                if record.triage.category is Category.COMPLAINT and record.order_code
            }
        found = plan(
            self._settings_for(shop), orders, returns, planned=planned, complained=complained,
            now=now,
        )  # fmt: skip
        added: list[NewMessage] = []
        with self._store.transaction() as tx:
            for message in found:
                if tx.enqueue_message(message, now)[1]:
                    added.append(message)
        return added
