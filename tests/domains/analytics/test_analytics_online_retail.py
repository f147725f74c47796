"""Real data: the UCI Online Retail subsets (Germany, France; CC BY 4.0) through the file import,
and the sales reports checked against an independent computation written here in plain Python.

Conversion: an invoice is an order, its rows its lines (StockCode → sku); an invoice whose number
starts with ``C`` is a cancellation and is imported as a cancelled order (quantities made
positive). Rows of ordinary invoices with a quantity ≤ 0 are stock corrections, not sales: left
out. Net revenue is then the value of the lines of orders not cancelled.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from saudager.settings import load_settings
from saudager.wiring import build_services

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "online-retail-subsets"
COUNTRIES = ["germany", "france"]


def _rows(country: str) -> list[dict[str, str]]:
    path = DATA / f"online_retail_{country}.csv"
    if not path.exists():
        pytest.skip(f"{path} is not here (shared/ beside the project)")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _convert(rows: list[dict[str, str]], folder: Path) -> list[Path]:
    orders: dict[str, list[str]] = {}
    lines: list[list[str]] = []
    for row in rows:
        code, quantity = row["InvoiceNo"], int(row["Quantity"])
        cancelled = code.startswith("C")
        if not cancelled and quantity <= 0:
            continue
        moment = datetime.strptime(row["InvoiceDate"], "%m/%d/%Y %H:%M").isoformat()
        orders.setdefault(code, [code, moment, "CANCELLED" if cancelled else "COMPLETED"])
        lines.append([code, row["StockCode"], str(abs(quantity)), row["UnitPrice"],
                      row["Description"].strip()])  # fmt: skip
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for code, _sku, quantity, price, _name in lines:
        totals[code] += Decimal(price) * int(quantity)
    orders_path, lines_path = folder / "orders.csv", folder / "order_lines.csv"
    with orders_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_code", "created_at", "status", "total_price"])
        writer.writerows([*o, str(totals[o[0]])] for o in orders.values())
    with lines_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["order_code", "sku", "quantity", "unit_price", "product_name"])
        writer.writerows(lines)
    return [orders_path, lines_path]


def _independent(rows: list[dict[str, str]]) -> tuple[int, dict[str, int], date, date]:
    """Net revenue in tiyn and revenue per SKU (a SKU only in cancellations: 0), by hand."""
    per_sku: dict[str, int] = defaultdict(int)
    days = []
    for row in rows:
        quantity = int(row["Quantity"])
        days.append(datetime.strptime(row["InvoiceDate"], "%m/%d/%Y %H:%M").date())
        if row["InvoiceNo"].startswith("C"):
            per_sku.setdefault(row["StockCode"], 0)  # listed, with nothing sold: class C
            continue
        if quantity <= 0:
            continue
        per_sku[row["StockCode"]] += int(Decimal(row["UnitPrice"]) * 100) * quantity
    return sum(per_sku.values()), dict(per_sku), min(days), max(days)


def _abc(per_sku: dict[str, int]) -> dict[str, str]:
    ranked = sorted(per_sku.items(), key=lambda item: (-item[1], item[0]))
    total = sum(v for _, v in ranked if v > 0)
    classes, before = {}, 0
    for sku, value in ranked:
        if value <= 0:
            classes[sku] = "C"
            continue
        share_before = Fraction(before, total)
        classes[sku] = (
            "A"
            if share_before < Fraction(8, 10)
            else "B"
            if share_before < Fraction(95, 100)
            else "C"
        )
        before += value
    return classes


@pytest.mark.parametrize("country", COUNTRIES)
def test_net_revenue_abc_and_tops_match_an_independent_computation(
    country: str, tmp_path: Path
) -> None:
    rows = _rows(country)
    services = build_services(load_settings(None, home=tmp_path))
    try:
        shop = services.add_shop(country, None, None, None)
        services.imports.import_files(shop, _convert(rows, tmp_path))
        revenue, per_sku, first, last = _independent(rows)
        sales = services.analytics.sales(shop)
        [summary] = services.analytics.summary(sales, (first, last), None).iter_rows(named=True)
        assert summary["revenue_tiyn"] == revenue
        abc = services.analytics.abc(sales, (first, last), "revenue")
        assert dict(zip(abc["sku"], abc["value"], strict=True)) == per_sku
        assert dict(zip(abc["sku"], abc["class"], strict=True)) == _abc(per_sku)
        assert abc["cumulative_share"].to_list()[-1] == 1
        top = services.analytics.tops(sales, (first, last))["by_revenue"]
        expected = [sku for sku, _ in sorted(per_sku.items(), key=lambda i: (-i[1], i[0]))[:10]]
        assert top["sku"].to_list() == expected
    finally:
        services.close()
