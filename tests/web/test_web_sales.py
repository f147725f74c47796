"""The sales page: KPIs, revenue and profit over time, the cost structure, the ABC × XYZ
matrix, the tops, the comparison with the period before and why profit changed — the analytics
reports' figures, in Russian and English — and every table as XLSX and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from paged import pager_of
from pagetree import Element, parse
from webshop import Site, know_packaging, make_user, switch_language

from saudager.domains.accounts.types import Role
from saudager.domains.analytics.report_views import Report, ReportKind, build_report
from saudager.web.i18n import Formatter, Language

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
#: The example shop's March 2026 by hand (docs/examples/import): orders 510000001 (15 990 ₸),
#: 510000002 (3 mugs, 1 350 ₸, one returned: − 450 ₸) and 510000004 (15 990 ₸); 510000003 was
#: cancelled and 510000005 returned whole.
MARCH_REVENUE_TIYN = (15_990 + 1_350 - 450 + 15_990) * 100
MARCH_ORDERS = 4  # every order not cancelled, the returned one included
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _packaging_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    know_packaging(monkeypatch)


def sales_page(site: Site, params: dict[str, str]) -> Element:
    answer = site.pages.get(f"/shops/{site.shop.id}/sales", params=params)
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def report(site: Site, kind: ReportKind, first: date, last: date, **options: Any) -> Report:
    return build_report(site.services.analytics, site.shop, kind, (first, last), last, **options)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_kpis_are_the_summary_reports_figures(site: Site, language: Language) -> None:
    path = f"/shops/{site.shop.id}/sales"
    if language == "en":
        switch_language(site, site.pages, "en", path)
    doc = sales_page(site, MARCH)
    [summary] = (
        report(site, "summary", date(2026, 3, 1), date(2026, 3, 31))
        .tables["summary"]
        .iter_rows(named=True)
    )
    assert summary["revenue_tiyn"] == MARCH_REVENUE_TIYN
    assert summary["orders"] == MARCH_ORDERS
    assert summary["lines_missing_cost"] == 0  # every cost known: profit is the whole profit
    fmt = Formatter(language)
    expected = {
        "revenue": fmt.money(summary["revenue_tiyn"]),
        "orders": fmt.number(summary["orders"]),
        "units": fmt.number(summary["units"]),
        "profit": fmt.money(summary["profit_tiyn"]),
        "margin": fmt.percent(summary["margin"]),
        "markup": fmt.percent(summary["markup"]),
        "average_order": fmt.money(summary["average_order_tiyn"]),
    }
    shown = {card["data-kpi"]: card.one(class_="kpi").text for card in doc.select(data_kpi=True)}
    assert shown == expected
    assert shown["revenue"] == "32\u00a0880\u00a0₸"  # the same in both languages
    words = ("Почему изменилась прибыль", "Why profit changed")
    assert words[language == "en"] in doc.text
    assert words[language == "ru"] not in doc.text


def test_timeline_cost_structure_and_matrix_match_the_reports(site: Site) -> None:
    doc = sales_page(site, {**MARCH, "granularity": "week", "by": "revenue"})
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    weeks = list(
        report(site, "summary", first, last, granularity="week")
        .tables["summary"]
        .iter_rows(named=True)
    )
    rows = doc.by_id("timeline-table").select("tr", data_period=True)
    assert [r["data-period"] for r in rows] == [w["period_start"].isoformat() for w in weeks]
    revenue = [int(r.select("td")[1]["data-value"]) for r in rows]
    assert revenue == [w["revenue_tiyn"] for w in weeks]
    assert sum(revenue) == MARCH_REVENUE_TIYN
    figure = doc.json("timeline-figure")
    assert figure["data"][0]["y"] == [w["revenue_tiyn"] / 100 for w in weeks]

    [summary] = report(site, "summary", first, last).tables["summary"].iter_rows(named=True)
    parts = {
        r["data-part"]: int(r["data-amount"])
        for r in doc.by_id("costs-table").select("tr", data_part=True)
    }
    for part in ("purchase", "commission", "delivery", "advertising", "tax", "other", "profit"):
        assert parts[part] == summary[f"{part}_tiyn"], part

    matrix = report(site, "matrix", first, last).tables["matrix"]
    cells = {
        c["data-cell"]: int(c["data-skus"])
        for c in doc.by_id("matrix-table").select(data_cell=True)
    }
    assert cells == dict(zip(matrix["cell"].to_list(), matrix["skus"].to_list(), strict=True))
    assert sum(cells.values()) == 3  # kettle, mug and blender each in one cell


def test_tops_and_the_comparison_list_the_reports_products(site: Site) -> None:
    doc = sales_page(site, MARCH)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    tops = report(site, "tops", first, last).tables
    for name in ("by_revenue", "loss_making", "most_returned", "most_cancelled"):
        block = doc.one(data_top=name)
        shown = [r["data-sku"] for r in block.select("tr", data_sku=True)]
        assert shown == tops[name]["sku"].to_list(), name
    assert [
        r["data-sku"] for r in doc.one(data_top="most_cancelled").select("tr", data_sku=True)
    ] == ["BLENDER-03"]
    products = report(site, "products", first, last).tables["products"]
    table = doc.by_id("comparison-table")
    # Sorted by the server, a page at a time: every heading a link, the biggest revenue first.
    headings = table.select("th", data_column=True)
    assert [th["data-column"] for th in headings][:3] == ["sku", "units", "units_change"]
    assert all(th.select("a") for th in headings) and not table.select("th", data_sort=True)
    assert table.one("th", data_column="revenue")["aria-sort"] == "descending"
    assert pager_of(doc, "comparison") == (1, 1, products.height)
    rows = table.select("tr", data_sku=True)
    deltas = {r["data-sku"]: int(r.one(data_figure="revenue-delta")["data-value"]) for r in rows}
    assert deltas == dict(
        zip(products["sku"].to_list(), products["revenue_tiyn_delta"].to_list(), strict=True)
    )
    assert sum(deltas.values()) == MARCH_REVENUE_TIYN  # February had no sales
    by_revenue = products.sort("revenue_tiyn_b", descending=True, maintain_order=True)
    assert [r["data-sku"] for r in rows] == by_revenue["sku"].to_list()
    # Each heading sorts the whole table by its figure, then turns it round.
    link = table.one("th", data_column="units").one("a")["href"]
    assert "sort=units" in link and "from=2026-03-01" in link and "to=2026-03-31" in link
    units = parse(site.pages.get(link).text).by_id("comparison-table")
    by_units = products.sort("units_b", descending=True, maintain_order=True)["sku"].to_list()
    assert [r["data-sku"] for r in units.select("tr", data_sku=True)] == by_units
    heading = units.one("th", data_column="units")
    assert heading["aria-sort"] == "descending"
    ascending = parse(site.pages.get(heading.one("a")["href"]).text).by_id("comparison-table")
    by_units = products.sort("units_b", maintain_order=True)["sku"].to_list()
    assert [r["data-sku"] for r in ascending.select("tr", data_sku=True)] == by_units
    # The search finds SKUs and keeps the period.
    found = sales_page(site, {**MARCH, "q": "mug"})
    assert [r["data-sku"] for r in found.by_id("comparison-table").select("tr", data_sku=True)] == [
        "MUG-02"
    ]


def test_why_profit_changed_adds_up_exactly(site: Site) -> None:
    # 3–4 March against 1–2 March: the kettle sold in both, the mug only in the first.
    doc = sales_page(site, {"from": "2026-03-03", "to": "2026-03-04"})
    change = report(site, "profit-change", date(2026, 3, 3), date(2026, 3, 4)).change
    assert change is not None
    section = doc.by_id("profit-change")
    assert int(section["data-change"]) == change.change_tiyn
    before = int(section.one("tr", data_row="before")["data-amount"])
    after = int(section.one("tr", data_row="after")["data-amount"])
    parts = [int(r["data-amount"]) for r in section.select("tr", data_component=True)]
    assert (before, after) == (change.profit_a_tiyn, change.profit_b_tiyn)
    assert sum(parts) == after - before == change.change_tiyn
    assert dict(
        zip(
            [r["data-component"] for r in section.select("tr", data_component=True)],
            parts,
            strict=True,
        )
    ) == dict(change.components)
    assert any(parts), "the example should move some part"
    waterfall = doc.json("waterfall-figure")["data"][0]
    assert waterfall["type"] == "waterfall"
    assert waterfall["measure"][0] == "absolute" and waterfall["measure"][-1] == "total"
    assert Decimal(str(sum(waterfall["y"][1:-1]))).quantize(Decimal("0.01")) == (
        Decimal(change.change_tiyn) / 100
    )


def test_downloads_hold_the_same_numbers(site: Site) -> None:
    base = f"/shops/{site.shop.id}/sales"
    summary = site.pages.get(f"{base}/summary.xlsx", params=MARCH)
    assert summary.status_code == 200
    assert summary.headers["content-type"] == XLSX
    assert summary.headers["content-disposition"] == (
        'attachment; filename="saudager-summary-2026-03-01-2026-03-31.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(summary.content))["summary"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("revenue") + 1).value == MARCH_REVENUE_TIYN / 100

    tops = site.pages.get(f"{base}/tops.csv", params={**MARCH, "table": "by_revenue"})
    assert tops.headers["content-type"].startswith("text/csv")
    assert tops.headers["content-disposition"].endswith('-by_revenue.csv"')
    rows = list(csv.DictReader(io.StringIO(tops.content.decode("utf-8-sig")), delimiter=";"))
    expected = report(site, "tops", date(2026, 3, 1), date(2026, 3, 31)).tables["by_revenue"]
    assert [r["sku"] for r in rows] == expected["sku"].to_list()
    assert [Decimal(r["revenue"]) * 100 for r in rows] == expected["revenue_tiyn"].to_list()

    workbook = load_workbook(io.BytesIO(site.pages.get(f"{base}/tops.xlsx", params=MARCH).content))
    assert "by_revenue" in workbook.sheetnames and "most_cancelled" in workbook.sheetnames
    weekly = site.pages.get(f"{base}/summary.csv", params={**MARCH, "granularity": "week"})
    assert "-week-" in weekly.headers["content-disposition"]
    assert len(list(csv.reader(io.StringIO(weekly.content.decode("utf-8-sig"))))) == 1 + 6

    # Every link on the page opens.
    doc = sales_page(site, MARCH)
    links = {a["href"] for a in doc.select("a", data_download=True)}
    assert len(links) > 10
    for link in links:
        assert site.pages.get(link).status_code == 200, link


def test_bad_periods_and_short_periods(site: Site) -> None:
    base = f"/shops/{site.shop.id}/sales"
    backwards = site.pages.get(base, params={"from": "2026-03-10", "to": "2026-03-01"})
    assert backwards.status_code == 400
    assert "позже его конца" in backwards.text
    assert site.pages.get(base, params={"from": "10 March"}).status_code == 400
    assert site.pages.get(base, params={"from": "0001-01-01"}).status_code == 400
    # No whole week: the page says so instead of the matrix; the XYZ file is refused.
    short = {"from": "2026-03-03", "to": "2026-03-05"}
    assert sales_page(site, short).by_id("matrix-needs-week")
    assert site.pages.get(f"{base}/xyz.csv", params=short).status_code == 400
    assert site.pages.get(f"{base}/nonsense.csv").status_code == 422
    assert site.pages.get(f"{base}/tops.csv", params={"table": "nonsense"}).status_code == 404


def test_members_only(site: Site) -> None:
    base = f"/shops/{site.shop.id}/sales"
    assert site.anonymous.get(base, follow_redirects=False).status_code == 303
    assert site.anonymous.get(f"{base}/summary.csv", follow_redirects=False).status_code == 303
    make_user(site.services, "viewer", site.shop, Role.VIEWER)
    viewer = TestClient(site.pages.app)
    site.login(viewer, "viewer")
    assert viewer.get(base, params=MARCH).status_code == 200
    other = site.services.add_shop("other", None, None, None)
    assert site.pages.get(f"/shops/{other.id}/sales").status_code == 404
    assert site.pages.get(f"/shops/{other.id}/sales/summary.xlsx").status_code == 404
