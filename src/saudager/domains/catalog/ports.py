"""What the catalog domain needs from storage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from saudager.domains.catalog.types import Product, ProductCost


class CatalogTx(Protocol):
    def upsert_products(self, shop_id: int, products: Sequence[Product]) -> int:
        """Insert or update by SKU; a ``None`` field never overwrites a known value.

        Returns how many products were inserted or actually changed.
        """
        ...

    def add_product_costs(self, shop_id: int, costs: Sequence[ProductCost]) -> int:
        """Insert or replace by (SKU, effective_from); returns how many rows changed."""
        ...

    def list_products(self, shop_id: int) -> list[Product]: ...

    def product_costs(self, shop_id: int, sku: str | None = None) -> list[ProductCost]:
        """Ordered by SKU, then effective_from."""
        ...

    def existing_skus(self, shop_id: int, skus: Sequence[str]) -> set[str]: ...
