"""The Kaspi Жұма page: the next sale and the days to it, the quality module's verdict
criterion by criterion, what sells at a loss at Жұма costs, the stock plan and the packers —
the ``zhuma`` report's figures, in Russian and English — and the plan and losses as files."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from paged import pager_of
from pagetree import Element, parse
from webshop import Site, know_packaging, switch_language

from saudager.domains.analytics.planner import StockPlan, ZhumaLosses
from saudager.domains.analytics.report_views import build_report, period_of
from saudager.web.i18n import Formatter, Language

#: Seen from 20 March 2026, the next Жұма is 11–14 June 2026 (an assumed date), 83 days on.
AS_OF = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _costs_are_known(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packaging costs 100 ₸ an order and Kaspi raises its commission by 5 points during Жұма:
    the Жұма profit of every product with a purchase cost can be computed."""
    know_packaging(monkeypatch)
    monkeypatch.setenv("SAUDAGER_ANALYTICS__JUMA_COMMISSION_UPLIFT_BP", "500")


def zhuma_page(site: Site, **params: str) -> Element:
    answer = site.pages.get(
        f"/shops/{site.shop.id}/zhuma", params={"as_of": AS_OF.isoformat(), **params}
    )
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def plan_and_losses(site: Site) -> tuple[StockPlan, ZhumaLosses]:
    report = build_report(
        site.services.analytics, site.shop, "zhuma", period_of(None, None, AS_OF), AS_OF
    )
    assert report.zhuma is not None
    plan, losses = report.zhuma.plan, report.zhuma.losses
    assert plan is not None and losses is not None
    return plan, losses


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_sale_eligibility_losses_plan_and_packing(site: Site, language: Language) -> None:
    if language == "en":
        switch_language(site, site.pages, "en", f"/shops/{site.shop.id}/zhuma")
    doc = zhuma_page(site)
    fmt = Formatter(language)
    sale = doc.by_id("sale")
    assert sale.one(class_="kpi")["data-start"] == "2026-06-11"
    assert sale.one(class_="kpi")["data-end"] == "2026-06-14"
    assert sale.one("p", data_days=True)["data-days"] == "83"
    assert ("Дней до начала: 83" if language == "ru" else "Days to go: 83") in sale.text

    eligibility = site.services.quality.report(site.shop, AS_OF).zhuma
    section = doc.by_id("eligibility")
    assert section["data-verdict"] == eligibility.verdict.value
    shown = {
        r["data-criterion"]: r["data-outcome"] for r in section.select("tr", data_criterion=True)
    }
    assert shown == {c.key: c.outcome.value for c in eligibility.criteria}
    rating = section.one("tr", data_criterion="rating")
    assert (rating.select("td")[0].text) == (
        "Рейтинг не ниже 4" if language == "ru" else "Rating at least 4"
    )

    plan, losses = plan_and_losses(site)
    # The mug (1 000 ₸, 450 ₸ to buy) loses money with the raised commission; the blender's
    # profit is unknown (it did not sell in the 30 days before).
    [mug] = losses.unprofitable
    assert mug.sku == "MUG-02" and losses.unknown == ("BLENDER-03",)
    row = doc.by_id("losses-table").one("tr", data_sku="MUG-02")
    assert int(row["data-profit"]) == mug.profit_per_unit_tiyn < 0
    assert row.select("td")[2].text == fmt.money(mug.profit_per_unit_tiyn)
    assert row.select("td")[5].text == fmt.money(mug.expected_loss_tiyn)
    assert "BLENDER-03" in doc.by_id("unknown-profit").text

    rows = doc.by_id("plan-table").select("tr", data_sku=True)
    assert [r["data-sku"] for r in rows] == [p.sku for p in plan.skus]  # best sellers first
    for shown_row, planned in zip(rows, plan.skus, strict=True):
        assert Decimal(shown_row["data-expected"]) == planned.expected_units
        assert int(shown_row["data-to-order"]) == planned.to_order
        assert shown_row.select("td")[7].text == fmt.money(planned.expected_revenue_tiyn)
    packing = doc.by_id("packing")
    assert int(packing["data-packers-needed"]) == plan.packing.packers_needed == 1


def test_the_plan_and_the_losses_are_paged_apart(site: Site) -> None:
    plan, losses = plan_and_losses(site)
    doc = zhuma_page(site)
    assert pager_of(doc, "plan") == (1, 1, len(plan.skus))
    assert pager_of(doc, "losses") == (1, 1, len(losses.unprofitable))
    # The plan sorted by the units to order, smallest first; the losses keep their own order.
    sorted_plan = zhuma_page(site, sort="to_order", desc="0")
    rows = sorted_plan.by_id("plan-table").select("tr", data_sku=True)
    by_to_order = sorted(plan.skus, key=lambda p: p.to_order)
    assert [r["data-sku"] for r in rows] == [p.sku for p in by_to_order]
    assert sorted_plan.by_id("plan-table").one("th", data_column="to_order")["aria-sort"] == (
        "ascending"
    )
    losses_sorted = sorted_plan.by_id("losses-table").one("th", aria_sort=True)
    assert losses_sorted["data-column"] == "expected_loss"  # the worst first, as before
    # The losses' links and search use their own names and keep the plan's order and the day.
    heading = sorted_plan.by_id("losses-table").one("th", data_column="zhuma_profit")
    link = heading.one("a")["href"]
    assert "loss_sort=zhuma_profit" in link and "sort=to_order" in link
    assert "as_of=2026-03-20" in link
    search = sorted_plan.one("form", data_for="losses")
    assert search.one("input", type="search")["name"] == "loss_q"
    nothing = zhuma_page(site, loss_q="kettle")
    assert not nothing.by_id("losses-table").select("tr", data_sku=True)
    assert nothing.one("p", data_nothing="losses")
    assert len(nothing.by_id("plan-table").select("tr", data_sku=True)) == len(plan.skus)
    found = zhuma_page(site, q="кружка")
    assert [r["data-sku"] for r in found.by_id("plan-table").select("tr", data_sku=True)] == [
        "MUG-02"
    ]


def test_packers_against_the_capacity(site: Site) -> None:
    assert zhuma_page(site, packers="0").by_id("packers-short").text == (
        "Не хватает упаковщиков: ещё 1."
    )
    assert zhuma_page(site, packers="2").by_id("packers-enough")
    assert (
        site.pages.get(f"/shops/{site.shop.id}/zhuma", params={"packers": "-1"}).status_code == 400
    )


def test_the_plan_and_the_losses_as_files(site: Site) -> None:
    plan, losses = plan_and_losses(site)
    base = f"/shops/{site.shop.id}/zhuma"
    book = site.pages.get(f"{base}/stock_plan.xlsx", params={"as_of": AS_OF.isoformat()})
    assert book.status_code == 200
    assert book.headers["content-disposition"] == (
        'attachment; filename="saudager-zhuma-2026-03-20-stock_plan.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(book.content))["stock_plan"]
    header = [c.value for c in sheet[1]]
    skus = [sheet.cell(row=i, column=1).value for i in range(2, sheet.max_row + 1)]
    assert skus == [p.sku for p in plan.skus]
    to_order = header.index("to_order") + 1
    assert [sheet.cell(row=i, column=to_order).value for i in range(2, sheet.max_row + 1)] == [
        p.to_order for p in plan.skus
    ]
    table = site.pages.get(f"{base}/unprofitable_at_zhuma.csv", params={"as_of": AS_OF.isoformat()})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["sku"], Decimal(r["profit_per_unit"]) * 100) for r in rows] == [
        (u.sku, u.profit_per_unit_tiyn) for u in losses.unprofitable
    ]
    # Every link on the page opens.
    for link in {a["href"] for a in zhuma_page(site).select("a", data_download=True)}:
        assert site.pages.get(link).status_code == 200, link
    assert site.pages.get(f"{base}/nonsense.csv").status_code == 422


def test_members_only(site: Site) -> None:
    base = f"/shops/{site.shop.id}/zhuma"
    assert site.anonymous.get(base, follow_redirects=False).status_code == 303
    other = site.services.add_shop("other", None, None, None)
    assert site.pages.get(f"/shops/{other.id}/zhuma").status_code == 404
    assert site.pages.get(f"/shops/{other.id}/zhuma/stock_plan.csv").status_code == 404
    assert site.pages.get(base, params={"as_of": "20.03.2026"}).status_code == 400
