"""Paging, sorting and search of the big tables (``web/paging.py``): by hand on small lists —
numbers sorted as numbers, missing values last both ways, ties in their order, search over the
named columns only, the last partial page, pages out of range and parameters that do not read —
then on the example shop grown by 60 generated products: every paged table counts its rows,
sorts them as asked, and a walk over its pages meets every row exactly once."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import polars as pl
import pytest
from paged import get, pager, pager_of, walk
from pagetree import Element, parse
from webshop import Site

from saudager.domains.analytics.report_views import build_report, period_of
from saudager.domains.quality.types import Indicator
from saudager.web.paging import DEFAULT_PER_PAGE, Column, Page, Table, page_frame, page_rows

TABLE = Table(
    columns=(
        Column("sku"),
        Column("name"),
        Column("price", desc_first=True),
        Column("stock", desc_first=True),
    ),
    search=("sku", "name"),
    sort="sku",
    anchor="things",
)
ROWS: list[dict[str, Any]] = [
    {"sku": "B-2", "name": "Кружка", "price": 300, "stock": None},
    {"sku": "a-1", "name": "Чайник", "price": 100, "stock": 5},
    {"sku": "C-3", "name": None, "price": None, "stock": 5},
    {"sku": "D-4", "name": "кружка большая", "price": 100, "stock": 0},
    {"sku": "E-5", "name": "Блендер", "price": 2000, "stock": None},
]
PATH = "/shops/1/things"


def skus(page: Page[Any]) -> list[str]:
    return [row["sku"] for row in page.rows]


def shown(params: dict[str, str], rows: list[dict[str, Any]] | None = None) -> Page[Any]:
    return page_rows(ROWS if rows is None else rows, TABLE, params, PATH)


def query_of(url: str | None) -> dict[str, str]:
    assert url is not None
    return dict(parse_qsl(urlsplit(url).query))


@pytest.mark.parametrize(
    ("params", "order"),
    [
        ({}, ["a-1", "B-2", "C-3", "D-4", "E-5"]),  # by SKU, whatever its case
        ({"desc": "1"}, ["E-5", "D-4", "C-3", "B-2", "a-1"]),
        # Numbers as numbers (2000 after 300), ties in their order, the missing price last.
        ({"sort": "price", "desc": "0"}, ["a-1", "D-4", "B-2", "E-5", "C-3"]),
        ({"sort": "price", "desc": "1"}, ["E-5", "B-2", "a-1", "D-4", "C-3"]),
        # Stock sorts biggest first by default; missing stock last in both directions.
        ({"sort": "stock"}, ["a-1", "C-3", "D-4", "B-2", "E-5"]),
        ({"sort": "stock", "desc": "0"}, ["D-4", "a-1", "C-3", "B-2", "E-5"]),
        ({"sort": "name"}, ["E-5", "B-2", "D-4", "a-1", "C-3"]),
    ],
)
def test_sorting_by_the_real_values(params: dict[str, str], order: list[str]) -> None:
    page = shown(params)
    assert skus(page) == order
    assert (page.total, page.count, page.number, page.pages) == (5, 5, 1, 1)


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("кружка", ["B-2", "D-4"]),  # the name, whatever its case
        ("  КРУЖКА   большая ", ["D-4"]),  # spaces around and between words tidied
        ("c-3", ["C-3"]),  # the SKU
        ("5", ["E-5"]),  # not the stock of a-1 and C-3: stock is not searched
        ("nothing like it", []),
    ],
)
def test_search_over_the_named_columns(q: str, found: list[str]) -> None:
    page = shown({"q": q})
    assert skus(page) == found
    assert (page.total, page.count, page.pages) == (len(found), 5, 1)


def many(n: int) -> list[dict[str, Any]]:
    return [
        {"sku": f"S-{i:03}", "name": f"n{i}", "price": None if i % 4 == 0 else i % 7, "stock": i}
        for i in range(1, n + 1)
    ]


def test_pages_the_last_partial_and_out_of_range() -> None:
    rows = many(60)
    first = shown({"per": "25"}, rows)
    assert (len(first.rows), first.number, first.pages, first.first, first.last) == (
        25,
        1,
        3,
        1,
        25,
    )
    last = shown({"per": "25", "page": "3"}, rows)
    assert skus(last) == [f"S-{i:03}" for i in range(51, 61)]
    assert (last.first, last.last, last.next_url) == (51, 60, None)
    assert shown({"per": "25", "page": "99"}, rows).number == 3  # past the end: the last page
    for bad in ("0", "-4", "abc", "", "2.5", "9" * 5000):
        assert shown({"per": "25", "page": bad}, rows).number == 1, bad
    for bad in ("7", "0", "abc", "1000", "-25"):
        assert shown({"per": bad}, rows).per == DEFAULT_PER_PAGE, bad
    for per in ("25", "50", "100", "200"):
        assert shown({"per": per}, rows).per == int(per)
    nothing = shown({"q": "zzz", "page": "3"}, rows)
    assert (nothing.rows, nothing.number, nothing.pages, nothing.first) == ([], 1, 1, 0)
    assert shown({}, []).pages == 1


def test_bad_parameters_fall_back_to_the_defaults() -> None:
    page = shown({"sort": "password", "desc": "maybe", "q": "x" * 500})
    assert (page.sort, page.desc, len(page.q)) == ("sku", False, 100)
    assert shown({"sort": "price", "desc": "yes"}).desc is True  # the column's first direction
    assert shown({"sort": "sku", "desc": "2"}).desc is False


def test_links_keep_the_other_parameters() -> None:
    params = {"as_of": "2026-03-31", "saved": "X", "q": "s-0", "sort": "price", "per": "25"}
    page = page_rows(many(60), TABLE, params, PATH, drop=("saved",))
    assert page.prev_url is None and page.pages == 3
    assert page.next_url is not None and page.next_url.endswith("#things")
    assert page.next_url.startswith(PATH + "?")
    assert query_of(page.next_url) == {
        "as_of": "2026-03-31", "q": "s-0", "sort": "price", "desc": "1", "page": "2", "per": "25",
    }  # fmt: skip
    second = page_rows(many(60), TABLE, query_of(page.next_url), PATH)
    assert second.number == 2 and query_of(second.prev_url)["as_of"] == "2026-03-31"
    assert "page" not in query_of(second.prev_url)  # page 1 is the default
    # The sorted column turns round; another starts in its own direction, on page 1.
    assert query_of(page.sort_url("price"))["desc"] == "0"
    assert "page" not in query_of(second.sort_url("price"))
    assert query_of(page.sort_url("name"))["desc"] == "0"
    assert "sort" not in query_of(page.sort_url("sku"))  # the default order needs no words
    assert (page.aria_sort("price"), page.aria_sort("sku")) == ("descending", None)
    assert "q" not in query_of(page.clear_url)
    hidden = dict(page.hidden)
    assert hidden == {"as_of": "2026-03-31", "sort": "price", "desc": "1"}
    assert page.state() == {"q": "s-0", "sort": "price", "desc": "1", "per": "25"}


def test_a_prefix_keeps_two_tables_of_one_page_apart() -> None:
    other = Table(columns=(Column("sku"),), search=("sku",), sort="sku", prefix="loss_")
    params = {"page": "2", "per": "25", "loss_q": "S-00", "loss_page": "1"}
    mine = page_rows(many(60), TABLE, params, PATH)
    theirs = page_rows(many(60), other, params, PATH)
    assert (mine.number, mine.q) == (2, "")
    assert (theirs.number, theirs.total) == (1, 9)
    assert query_of(theirs.sort_url("sku"))["page"] == "2"  # the first table stays on its page


def test_tables_check_their_columns() -> None:
    with pytest.raises(ValueError, match="own columns"):
        Table(columns=(Column("sku"),), search=("name",), sort="sku")
    with pytest.raises(ValueError, match="own columns"):
        Table(columns=(Column("sku"),), search=(), sort="price")
    with pytest.raises(ValueError, match="share a key"):
        Table(columns=(Column("sku"), Column("sku")), search=(), sort="sku")


def test_objects_and_frames_page_alike() -> None:
    """The same rows as dicts and as a Polars frame: the same pages, whatever the order asked."""
    rows = many(60) + ROWS
    frame = pl.DataFrame(rows, schema={"sku": pl.String, "name": pl.String,
                                       "price": pl.Int64, "stock": pl.Int64})  # fmt: skip
    for column in TABLE.columns:
        for desc in ("0", "1"):
            for q in ("", "s-0", "кружка"):
                params = {"sort": column.key, "desc": desc, "q": q, "per": "25"}
                for number in ("1", "2", "3"):
                    params["page"] = number
                    a, b = shown(params, rows), page_frame(frame, TABLE, params, PATH)
                    assert skus(a) == skus(b), params
                    assert (a.total, a.pages, a.number) == (b.total, b.pages, b.number)


def test_float_gaps_sort_last_in_frames() -> None:
    frame = pl.DataFrame({"sku": ["a", "b", "c", "d"], "price": [2.5, float("nan"), None, 10.0]})
    table = Table(columns=(Column("sku"), Column("price")), search=(), sort="sku")
    for desc, order in (("0", ["a", "d", "b", "c"]), ("1", ["d", "a", "b", "c"])):
        page = page_frame(frame, table, {"sort": "price", "desc": desc}, PATH)
        assert [r["sku"] for r in page.rows][:2] == order[:2]
        assert {r["sku"] for r in page.rows[2:]} == {"b", "c"}


# ---- the dashboard's tables, on the example shop grown by generated products -----------------

GENERATED = 60
AS_OF = date(2026, 3, 31)


def write_generated(folder: Path) -> list[Path]:
    """60 products GEN-001…: every fifth only in sales (not in the catalog), every third never
    sold, every seventh of unknown stock; one order each for the others in March (every fourth
    handed over late)."""
    folder.mkdir()
    products, orders, lines = (folder / f"{n}.csv" for n in ("products", "orders", "order_lines"))
    with products.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(["sku", "name", "category", "purchase_cost", "stock"])
        for i in range(1, GENERATED + 1):
            if i % 5:
                name = f"Кружка {i:03}" if i % 10 == 1 else f"Товар {i:03}"
                out.writerow([f"GEN-{i:03}", name, "Посуда", i * 100, "" if i % 7 == 0 else i % 9])
    with (
        orders.open("w", newline="", encoding="utf-8") as file,
        lines.open("w", newline="", encoding="utf-8") as other,
    ):
        out, line = csv.writer(file), csv.writer(other)
        out.writerow(
            ["order_code", "created_at", "status", "total_price", "delivery_mode",
             "is_kaspi_delivery", "handover_deadline", "handed_over_at"]
        )  # fmt: skip
        line.writerow(["order_code", "sku", "quantity", "unit_price"])
        for i in range(1, GENERATED + 1):
            if i % 3 == 0:
                continue
            day, quantity, price = 1 + i % 28, 1 + i % 4, 1000 + (i * 53) % 700 * 10
            handed = "17:00" if i % 4 == 0 else "15:00"
            out.writerow(
                [520_000_000 + i, f"2026-03-{day:02}T10:00", "COMPLETED", quantity * price,
                 "DELIVERY_LOCAL", "true", f"2026-03-{day + 1:02}T16:00",
                 f"2026-03-{day + 1:02}T{handed}"]
            )  # fmt: skip
            line.writerow([520_000_000 + i, f"GEN-{i:03}", quantity, price])
    return [products, orders, lines]


@pytest.fixture
def big(site: Site, tmp_path: Path) -> Site:
    site.services.imports.import_files(site.shop, write_generated(tmp_path / "generated"))
    return site


def sku_rows(table_id: str) -> Any:
    def rows(doc: Element) -> list[Element]:
        return doc.by_id(table_id).select("tr", data_sku=True)

    return rows


def test_products_walk_every_sku_once_in_order(big: Site) -> None:
    base = f"/shops/{big.shop.id}/products?as_of={AS_OF}"
    expected = [r.sku for r in big.services.catalog.products(big.shop, AS_OF).rows]
    assert len(expected) == 3 + GENERATED - GENERATED // 5 + 8  # 8 sold, not in the catalog
    rows, pages = walk(big.pages, f"{base}&per=25", "products-list", sku_rows("products-table"))
    assert [r["data-sku"] for r in rows] == expected  # by SKU, each once
    assert pages == 3
    doc = get(big.pages, f"{base}&per=25&page=3")
    assert pager_of(doc, "products-list") == (3, 3, len(expected))
    status = pager(doc, "products-list").one("span").text
    assert status == f"Страница 3 из 3 · строк: {len(expected)}"
    # The default page shows 50 rows; per=200 shows them all.
    assert len(sku_rows("products-table")(get(big.pages, base))) == 50
    assert len(sku_rows("products-table")(get(big.pages, f"{base}&per=200"))) == len(expected)


def test_products_sorted_by_stock_with_the_unknown_last(big: Site) -> None:
    catalog = big.services.catalog.products(big.shop, AS_OF).rows
    known = [r for r in catalog if r.stock is not None]
    expected = [r.sku for r in sorted(known, key=lambda r: -(r.stock or 0))]
    expected += [r.sku for r in catalog if r.stock is None]
    base = f"/shops/{big.shop.id}/products?as_of={AS_OF}&sort=stock&desc=1&per=25"
    rows, _ = walk(big.pages, base, "products-list", sku_rows("products-table"))
    assert [r["data-sku"] for r in rows] == expected
    # Ascending: smallest first, the unknown still last.
    doc = get(big.pages, base.replace("desc=1", "desc=0"))
    first = [r["data-sku"] for r in sku_rows("products-table")(doc)]
    ascending = [r.sku for r in sorted(known, key=lambda r: r.stock or 0)]
    assert first == ascending[:25]
    header = doc.by_id("products-table").one("th", data_column="stock")
    assert header["aria-sort"] == "ascending"


def test_products_search_by_name_or_sku(big: Site) -> None:
    base = f"/shops/{big.shop.id}/products?as_of={AS_OF}"
    doc = get(big.pages, f"{base}&q=кружка")
    found = [r["data-sku"] for r in sku_rows("products-table")(doc)]
    # The mug of the example file and the generated products named so.
    assert found == ["GEN-001", "GEN-011", "GEN-021", "GEN-031", "GEN-041", "GEN-051", "MUG-02"]
    assert pager_of(doc, "products-list") == (1, 1, 7)
    search = doc.one("form", data_for="products-list")
    assert search.one("input", name="q")["value"] == "кружка"
    doc = get(big.pages, f"{base}&q=gen-05")
    assert [r["data-sku"] for r in sku_rows("products-table")(doc)] == [
        f"GEN-{i:03}" for i in range(50, 60)
    ]
    empty = get(big.pages, f"{base}&q=no-such-thing")
    assert empty.one("p", data_nothing="products-list").text == (
        "Ничего не найдено по запросу «no-such-thing»."
    )


def test_a_cost_saved_from_a_page_comes_back_to_it(big: Site) -> None:
    base = f"/shops/{big.shop.id}/products"
    params = {"as_of": AS_OF.isoformat(), "q": "gen", "sort": "stock", "desc": "0",
              "per": "25", "page": "2"}  # fmt: skip
    doc = get(big.pages, f"{base}?{'&'.join(f'{k}={v}' for k, v in params.items())}")
    row = sku_rows("products-table")(doc)[3]
    form = row.one("form")
    data = {i["name"]: i.get("value", "") for i in form.select("input") if i.get("name")}
    assert {k: data[k] for k in ("q", "sort", "desc", "per", "page")} == {
        k: params[k] for k in ("q", "sort", "desc", "per", "page")
    }
    answer = big.pages.post(
        form["action"], data={**data, "cost": "123", "effective_from": "2026-01-01"},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    back = answer.headers["location"]
    assert {k: v for k, v in query_of(back).items() if k in params} == params
    again = get(big.pages, back)
    assert again.by_id("saved")
    assert pager_of(again, "products-list")[0] == 2
    # The saved message is not carried on by the table's links.
    assert "saved" not in query_of(pager(again, "products-list").select("a")[0]["href"])


def test_the_sales_comparison_walks_and_sorts_on_the_frame(big: Site) -> None:
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    frame = build_report(big.services.analytics, big.shop, "products", (first, last), last)
    products = frame.tables["products"]
    expected = products.sort(
        "revenue_tiyn_delta", descending=True, nulls_last=True, maintain_order=True
    )["sku"].to_list()
    base = f"/shops/{big.shop.id}/sales?from={first}&to={last}"
    url = f"{base}&sort=revenue_change&desc=1&per=25"
    rows, pages = walk(big.pages, url, "comparison", sku_rows("comparison-table"))
    assert [r["data-sku"] for r in rows] == expected and pages == 2
    assert len(expected) == products.height == 3 + 40
    # By default the biggest revenue first; the SKU search keeps the period.
    doc = get(big.pages, f"{base}&q=GEN-00")
    found = [r["data-sku"] for r in sku_rows("comparison-table")(doc)]
    by_revenue = products.filter(pl.col("sku").str.starts_with("GEN-00")).sort(
        "revenue_tiyn_b", descending=True, maintain_order=True
    )
    assert found == by_revenue["sku"].to_list()
    link = pager(doc, "comparison")
    assert link["data-total"] == str(len(found))
    search = doc.one("form", data_for="comparison")
    hidden = {i["name"]: i["value"] for i in search.select("input", type="hidden")}
    assert hidden["from"] == first.isoformat() and hidden["to"] == last.isoformat()


def test_the_stock_plan_walks_best_sellers_first(big: Site) -> None:
    day = date(2026, 3, 20)
    report = build_report(
        big.services.analytics, big.shop, "zhuma", period_of(None, None, day), day
    )
    assert report.zhuma is not None and report.zhuma.plan is not None
    plan = report.zhuma.plan.skus
    url = f"/shops/{big.shop.id}/zhuma?as_of={day}&per=25"
    rows, pages = walk(big.pages, url, "plan", sku_rows("plan-table"))
    assert [r["data-sku"] for r in rows] == [p.sku for p in plan]
    assert pages == -(-len(plan) // 25) > 1
    # Sorted by stock, smallest first: the unknown stock last.
    rows, _ = walk(big.pages, f"{url}&sort=stock&desc=0", "plan", sku_rows("plan-table"))
    known = sorted((p for p in plan if p.stock is not None), key=lambda p: p.stock or 0)
    assert [r["data-sku"] for r in rows] == [p.sku for p in known] + [
        p.sku for p in plan if p.stock is None
    ]


def test_the_drilldown_walks_every_fact_and_counts_them_all(big: Site) -> None:
    facts = big.services.quality.explain(big.shop, Indicator.LATE_HANDOVERS, AS_OF).facts
    assert len(facts) > 25
    url = f"/shops/{big.shop.id}/quality/late_handovers?as_of={AS_OF}&per=25"
    doc = get(big.pages, url)
    numerator = sum(1 for f in facts if f.numerator)
    denominator = sum(1 for f in facts if f.denominator)
    assert doc.by_id("facts-count").text == (
        f"Записей: {len(facts)} (в числителе: {numerator}, в знаменателе: {denominator})."
    )
    rows, pages = walk(
        big.pages, url, "facts-list", lambda d: d.by_id("facts").select("tr", data_ref=True)
    )
    assert [r["data-ref"] for r in rows] == [f.ref for f in facts]  # newest first, each once
    assert pages == 2
    # Oldest first by the date link; a search by order number.
    header = doc.by_id("facts").one("th", data_column="when")
    assert header["aria-sort"] == "descending"
    oldest = get(big.pages, header.one("a")["href"])
    shown = [r["data-ref"] for r in oldest.by_id("facts").select("tr", data_ref=True)]
    assert shown == [f.ref for f in sorted(facts, key=lambda f: f.at)][:25]
    found = get(big.pages, f"{url}&q=52000001")
    refs = [r["data-ref"] for r in found.by_id("facts").select("tr", data_ref=True)]
    assert refs and all("52000001" in ref for ref in refs)
    assert found.by_id("facts-count").text == doc.by_id("facts-count").text  # still all of them


@pytest.mark.parametrize(
    "path",
    [
        "products?as_of=2026-03-31",
        "sales?from=2026-03-01&to=2026-03-31",
        "zhuma?as_of=2026-03-20",
        "quality/late_handovers?as_of=2026-03-31",
    ],
)
def test_nonsense_parameters_show_the_default_page(site: Site, path: str) -> None:
    nonsense = "&q=%3Cb%3Ex&sort=__class__&desc=x&page=-1&per=1000000&loss_page=abc"
    answer = site.pages.get(f"/shops/{site.shop.id}/{path}{nonsense}")
    assert answer.status_code == 200, answer.text
    assert "<b>x" not in answer.text  # the search text is escaped
    doc = parse(answer.text)
    navs = doc.select("nav", data_for=True)
    assert navs
    for nav in navs:
        assert (nav["data-page"], nav["data-pages"]) == ("1", "1")
    assert doc.select("input", type="search")[0]["value"] == "<b>x"
