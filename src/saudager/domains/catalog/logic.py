"""Purchase costs typed by a seller, read and checked; every SKU with its unit economics.

Pure: no IO and no clock. A cost is tenge with at most two decimals (``12 345``, ``12345,50``,
``12 345 ₸``), not negative, at most a billion; its first day is ``2026-03-01`` or
``01.03.2026``. Every bad field is reported at once, and nothing is stored when any is bad.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import polars as pl

from saudager.core.money import MoneyError, to_tenge
from saudager.domains.analytics.economics import SkuEconomics
from saudager.domains.catalog.errors import CostInputError, CostProblem
from saudager.domains.catalog.types import Product, ProductCost, ProductEconomics

MAX_COST = Decimal(1_000_000_000)
_THREE_DECIMALS = re.compile(r"[.,]\d{3,}$")
_DAY_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")


def cost_problem(cost: Decimal, found: str | None = None) -> CostProblem | None:
    """What is wrong with a purchase cost, if anything."""
    shown = str(cost) if found is None else found
    if not cost.is_finite() or cost != cost.quantize(Decimal("0.01")):
        return CostProblem("cost", "money", shown)
    if cost < 0:
        return CostProblem("cost", "non_negative", shown)
    if cost > MAX_COST:
        return CostProblem("cost", "too_large", shown)
    return None


def read_cost(raw: str) -> Decimal | CostProblem:
    text = raw.strip()
    # "12,345" is twelve thousand to one seller and twelve tenge to another: refused.
    if not text or _THREE_DECIMALS.search(text.rstrip(" ₸\u00a0")):
        return CostProblem("cost", "money", raw)
    try:
        amount = to_tenge(text)
    except MoneyError:
        return CostProblem("cost", "money", raw)
    return cost_problem(amount, raw) or amount


def read_day(raw: str, default: date) -> date | CostProblem:
    """A local day; empty: ``default``."""
    text = raw.strip()
    if not text:
        return default
    for layout in _DAY_FORMATS:
        try:
            return datetime.strptime(text, layout).date()  # noqa: DTZ007 - a day, not an instant
        except ValueError:
            continue
    return CostProblem("effective_from", "date", raw)


def read_cost_input(cost: str, effective_from: str, default_day: date) -> tuple[Decimal, date]:
    """The cost and its first day from a form's text; raises ``CostInputError`` naming every
    bad field."""
    amount = read_cost(cost)
    day = read_day(effective_from, default_day)
    if isinstance(amount, Decimal) and isinstance(day, date):
        return amount, day
    raise CostInputError(tuple(p for p in (amount, day) if isinstance(p, CostProblem)))


def costs_in_effect(costs: Iterable[ProductCost], as_of: date) -> dict[str, ProductCost]:
    """Per SKU, the latest cost whose first day is on or before ``as_of``."""
    current: dict[str, ProductCost] = {}
    for cost in costs:
        if cost.effective_from > as_of:
            continue
        known = current.get(cost.sku)
        if known is None or cost.effective_from > known.effective_from:
            current[cost.sku] = cost
    return current


@dataclass(frozen=True, slots=True)
class SoldProduct:
    """A SKU as its sales lines show it: its latest name and category, its last sale day."""

    name: str | None
    category: str | None
    last_sale_day: date


def sold_products(lines: pl.DataFrame) -> dict[str, SoldProduct]:
    """Every SKU of ``lines`` (``SALES_LINES_SCHEMA``)."""
    if lines.is_empty():
        return {}
    latest = (
        lines.sort("created_at")
        .group_by("sku")
        .agg(
            name=pl.col("product_name").drop_nulls().last(),
            category=pl.col("category").drop_nulls().last(),
            last_day=pl.col("sale_day").max(),
        )
    )
    return {
        sku: SoldProduct(name, category, last_day)
        for sku, name, category, last_day in latest.iter_rows()
    }


def product_rows(
    products: Sequence[Product],
    costs: Iterable[ProductCost],
    economics: Sequence[SkuEconomics],
    sold: Mapping[str, SoldProduct],
    as_of: date,
) -> tuple[ProductEconomics, ...]:
    """Every SKU of the catalog and of the sales, by SKU: its cost in effect on ``as_of`` and
    its unit economics, or what is missing for them. A SKU not sold in the economics' window
    misses its price (and its purchase cost too, when none is in effect)."""
    catalog = {p.sku: p for p in products}
    by_sku = {e.sku: e for e in economics}
    current = costs_in_effect(costs, as_of)
    rows = []
    for sku in sorted(catalog.keys() | sold.keys() | by_sku.keys()):
        product, seen, unit = catalog.get(sku), sold.get(sku), by_sku.get(sku)
        name = product.name if product else seen.name if seen else None
        category = product.category if product else None
        if category is None and seen is not None:
            category = seen.category
        if unit is not None:
            missing = unit.missing
        else:
            missing = ("price",) + (() if sku in current else ("purchase",))
        rows.append(
            ProductEconomics(
                sku=sku,
                name=name,
                category=category,
                stock=product.stock if product else None,
                cost=current.get(sku),
                economics=unit.economics if unit else None,
                missing=missing,
                in_catalog=product is not None,
            )
        )
    return tuple(rows)
