"""Shops as the entry points show them: each with its orders and its last sync."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from saudager.core.revcache import RevisionCache
from saudager.core.timewindows import zone
from saudager.domains.orders.ports import Store
from saudager.domains.shops.types import Shop, SyncRun

_COUNTED_SHOPS = 10_000


@dataclass(frozen=True, slots=True)
class ShopOverview:
    shop: Shop
    orders: int
    last_sync: SyncRun | None


class ShopsService:
    def __init__(self, store: Store) -> None:
        self._store = store
        #: Order counts by shop, at the data revision they were counted at: counting a
        #: million orders takes tens of milliseconds, and the count only moves with the data.
        self._counts: RevisionCache[int, int] = RevisionCache(_COUNTED_SHOPS)

    def overview(self, only: set[int] | None = None) -> list[ShopOverview]:
        """Every shop, or those whose ids are in ``only``."""
        with self._store.reading() as tx:
            return [
                ShopOverview(
                    shop=shop,
                    orders=self._counts.get(
                        shop.id, tx.data_revision(shop.id), partial(tx.order_count, shop.id)
                    ),
                    last_sync=next(iter(tx.sync_runs(shop.id, limit=1)), None),
                )
                for shop in tx.list_shops()
                if only is None or shop.id in only
            ]

    def set_timezone(self, shop_id: int, timezone: str) -> Shop:
        """Raises ``ValueError`` for an unknown zone, ``NotFoundError`` for an unknown shop."""
        zone(timezone)
        with self._store.transaction() as tx:
            tx.set_shop_timezone(shop_id, timezone)
            return tx.get_shop(shop_id)

    def sync_runs(self, shop_id: int, limit: int = 20) -> list[SyncRun]:
        """The shop's recent sync runs, newest first."""
        with self._store.transaction() as tx:
            return tx.sync_runs(shop_id, limit)
