"""Shops as the entry points show them: each with its orders and its last sync."""

from __future__ import annotations

from dataclasses import dataclass

from saudager.domains.orders.ports import Store
from saudager.domains.shops.types import Shop, SyncRun


@dataclass(frozen=True, slots=True)
class ShopOverview:
    shop: Shop
    orders: int
    last_sync: SyncRun | None


class ShopsService:
    def __init__(self, store: Store) -> None:
        self._store = store

    def overview(self) -> list[ShopOverview]:
        with self._store.transaction() as tx:
            return [
                ShopOverview(
                    shop=shop,
                    orders=tx.order_count(shop.id),
                    last_sync=next(iter(tx.sync_runs(shop.id, limit=1)), None),
                )
                for shop in tx.list_shops()
            ]
