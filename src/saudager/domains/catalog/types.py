"""Products and purchase costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Product:
    """A seller's offer, keyed by its seller SKU (Kaspi's ``offer.code``).

    ``kaspi_product_code`` is the product card code (masterproduct ``code``) used in storefront
    and review links. Fields a source does not know are ``None``, never a made-up default.
    """

    sku: str
    name: str
    category: str | None = None
    brand: str | None = None
    weight_kg: Decimal | None = None
    stock: int | None = None
    kaspi_product_code: str | None = None


@dataclass(frozen=True, slots=True)
class ProductCost:
    """The purchase cost of one unit of ``sku`` from ``effective_from`` (shop-local day) on."""

    sku: str
    effective_from: date
    purchase_cost: Decimal
