"""What the orders domain needs from the outside world: a store and a Kaspi source."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from saudager.domains.analytics.records import AnalyticsTx
from saudager.domains.catalog.ports import CatalogTx
from saudager.domains.catalog.types import Product
from saudager.domains.orders.types import Order, OrderBatch, OrderLine, Return, Review
from saudager.domains.quality.records import QualityTx
from saudager.domains.shops.ports import ShopsTx


class OrdersTx(Protocol):
    def upsert_orders(self, shop_id: int, orders: Sequence[Order]) -> int:
        """Insert or update by order code; returns how many were inserted or actually changed.

        An order whose content is unchanged is not touched (running a sync twice changes
        nothing). The lines of an order are replaced only when it carries lines.
        """
        ...

    def replace_order_lines(self, shop_id: int, lines: Mapping[str, Sequence[OrderLine]]) -> int:
        """Replace the lines of each order code given; returns how many lines were written."""
        ...

    def existing_order_codes(self, shop_id: int, codes: Sequence[str]) -> set[str]: ...

    def get_order(self, shop_id: int, code: str) -> Order | None:
        """With its lines."""
        ...

    def list_orders(
        self, shop_id: int, created_from: datetime | None = None, created_to: datetime | None = None
    ) -> list[Order]:
        """With lines, ordered by creation time; ``created_to`` is exclusive."""
        ...

    def order_count(self, shop_id: int) -> int: ...

    def active_order_codes(self, shop_id: int) -> list[str]:
        """Codes of API orders whose status is not final (see ``FINAL_STATUSES``)."""
        ...

    def active_orders(self, shop_id: int) -> list[Order]:
        """The API orders whose status is not final, with their lines, oldest first."""
        ...

    def oldest_active_created_at(self, shop_id: int) -> datetime | None:
        """Creation time of the oldest order ``active_order_codes`` would list."""
        ...

    def sync_watermarks(self, shop_id: int) -> dict[str, datetime]:
        """Per Kaspi state: orders created before this instant have all been fetched."""
        ...

    def set_sync_watermark(self, shop_id: int, state: str, fetched_until: datetime) -> None: ...

    def upsert_reviews(self, shop_id: int, reviews: Sequence[Review]) -> int: ...

    def review_keys_approved_between(
        self, shop_id: int, start: datetime, end: datetime
    ) -> set[str]:
        """Keys of API reviews approved in [start, end) and not yet marked deleted."""
        ...

    def mark_reviews_deleted(
        self, shop_id: int, keys: Sequence[str], deleted_at: datetime
    ) -> int: ...

    def list_reviews(self, shop_id: int) -> list[Review]: ...

    def upsert_returns(self, shop_id: int, returns: Sequence[Return]) -> int:
        """Insert or update by key; returns how many rows were inserted or changed.

        A return's key is ``{order_code}/{sku}`` whatever its source, so a return synced from
        the API (reason ``unknown``) and the same return imported from the cabinet's file are
        one row. A reason of ``unknown`` never overwrites a known one (quality/other).
        """
        ...

    def list_returns(self, shop_id: int) -> list[Return]: ...


class StoreTx(ShopsTx, CatalogTx, OrdersTx, QualityTx, AnalyticsTx, Protocol):
    """Everything the store does, inside one transaction."""


class Store(Protocol):
    def transaction(self) -> AbstractContextManager[StoreTx]:
        """A unit of work: everything done in it commits together, or nothing does."""
        ...

    def reading(self) -> AbstractContextManager[StoreTx]:
        """A unit of work that only reads, from one consistent snapshot, without holding up
        writers (long reads of a whole shop)."""
        ...


class KaspiSource(Protocol):
    """The Kaspi Shop API as the sync needs it."""

    def iter_orders(
        self, state: str, created_from: datetime, created_to: datetime
    ) -> Iterator[OrderBatch]:
        """Pages of orders in ``state`` created in [created_from, created_to] (≤ 14 days)."""
        ...

    def order_by_code(self, code: str) -> OrderBatch:
        """That order (no date restriction), or an empty batch when Kaspi has none."""
        ...

    def product_for_line(self, order: Order, line: OrderLine) -> Product | None:
        """The Kaspi card behind a line (its masterproduct), or ``None`` when unknown."""
        ...

    def reviews(self, approved_from: datetime, approved_to: datetime) -> Sequence[Review] | None:
        """Reviews approved in [from, to]; ``None`` when Kaspi serves no reviews to this shop."""
        ...
