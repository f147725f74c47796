"""Purchase costs typed by a seller: read exactly, refused with the field and what was
expected; every SKU of the catalog and the sales with its cost in effect."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from saudager.domains.analytics.economics import SkuEconomics
from saudager.domains.catalog.errors import CostInputError, CostProblem
from saudager.domains.catalog.logic import (
    SoldProduct,
    costs_in_effect,
    product_rows,
    read_cost,
    read_cost_input,
    read_day,
)
from saudager.domains.catalog.types import Product, ProductCost

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("7500", Decimal("7500.00")),
        ("12 345", Decimal("12345.00")),
        ("12\u00a0345,50", Decimal("12345.50")),
        ("12 345 ₸", Decimal("12345.00")),
        ("0", Decimal("0.00")),
        ("1000000000", Decimal("1000000000.00")),
    ],
)
def test_costs_read_exactly(typed: str, amount: Decimal) -> None:
    assert read_cost(typed) == amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "money"),
        ("cheap", "money"),
        ("12,345", "money"),  # twelve thousand or twelve tenge? refused
        ("1.234", "money"),
        ("-5", "non_negative"),
        ("1000000000.01", "too_large"),
        ("NaN", "money"),
    ],
)
def test_bad_costs_say_what_was_expected(typed: str, expected: str) -> None:
    assert read_cost(typed) == CostProblem("cost", expected, typed)


def test_days_and_every_bad_field_at_once() -> None:
    assert read_day("", TODAY) == TODAY
    assert read_day("01.03.2026", TODAY) == read_day("2026-03-01", TODAY) == date(2026, 3, 1)
    assert read_cost_input("7 500", "", TODAY) == (Decimal("7500.00"), TODAY)
    with pytest.raises(CostInputError) as caught:
        read_cost_input("abc", "31.02.2026", TODAY)
    assert [(p.field, p.expected) for p in caught.value.problems] == [
        ("cost", "money"),
        ("effective_from", "date"),
    ]
    assert "cost: expected tenge" in str(caught.value)


def test_rows_join_the_catalog_the_sales_and_the_costs_in_effect() -> None:
    costs = [
        ProductCost("A", date(2026, 1, 1), Decimal(100)),
        ProductCost("A", date(2026, 3, 1), Decimal(120)),
        ProductCost("A", date(2026, 4, 1), Decimal(130)),  # not yet
    ]
    assert costs_in_effect(costs, TODAY)["A"].purchase_cost == Decimal(120)
    rows = product_rows(
        [Product("A", "Alpha", stock=3), Product("C", "Gamma")],
        costs,
        [SkuEconomics("B", None, ("purchase",))],
        {"B": SoldProduct("Beta", "Cat", date(2026, 3, 30))},
        TODAY,
    )
    assert [(r.sku, r.name, r.in_catalog, r.missing) for r in rows] == [
        ("A", "Alpha", True, ("price",)),  # not sold in the window, cost known
        ("B", "Beta", False, ("purchase",)),  # sold, known only from its sales
        ("C", "Gamma", True, ("price", "purchase")),
    ]
    assert rows[0].cost == costs[1] and rows[0].stock == 3
