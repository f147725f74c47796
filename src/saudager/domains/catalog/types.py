"""Products and purchase costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from saudager.domains.analytics.economics import UnitEconomics


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


@dataclass(frozen=True, slots=True)
class ProductEconomics:
    """One SKU on the products page: what it is, its purchase cost in effect and its unit
    economics over the window (``None`` when an input is missing: ``missing`` says which)."""

    sku: str
    name: str | None
    category: str | None
    stock: int | None
    cost: ProductCost | None  # the purchase cost in effect on the view's day
    economics: UnitEconomics | None
    #: "price" (not sold in the window), "purchase", "commission", "delivery", "other".
    missing: tuple[str, ...] = ()
    in_catalog: bool = True  # False: known only from its sales


@dataclass(frozen=True, slots=True)
class ProductsView:
    """Every SKU of a shop with its unit economics as of a local day."""

    as_of: date
    first_day: date  # the window whose sales give each SKU's price and per-unit costs
    target_margin: Decimal
    rows: tuple[ProductEconomics, ...]
    last_sale_day: date | None  # of any SKU, ever (None: no sales at all)
