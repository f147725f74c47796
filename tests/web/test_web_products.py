"""The products page and its API twin: every SKU with its unit economics (what is missing said
so), and the purchase cost edited in place by managers and owners — a plain form that redirects
back, refused with a clear message for bad input, for viewers and without the CSRF token."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from paged import pager, pager_of
from pagetree import Element, parse
from webshop import Site, know_packaging, make_user, switch_language

from saudager.domains.accounts.types import Role
from saudager.domains.catalog.types import ProductCost, ProductEconomics
from saudager.web.i18n import Formatter, Language

AS_OF = date(2026, 3, 31)
KETTLE = "KETTLE-01"


@pytest.fixture(autouse=True)
def _packaging_is_known(monkeypatch: pytest.MonkeyPatch) -> None:
    know_packaging(monkeypatch)


def products_page(site: Site, client: TestClient | None = None) -> Element:
    answer = (client or site.pages).get(
        f"/shops/{site.shop.id}/products", params={"as_of": AS_OF.isoformat()}
    )
    assert answer.status_code == 200, answer.text
    return parse(answer.text)


def row_of(site: Site, sku: str) -> ProductEconomics:
    [row] = [r for r in site.services.catalog.products(site.shop, AS_OF).rows if r.sku == sku]
    return row


def stored_costs(site: Site) -> list[ProductCost]:
    with site.services.store.transaction() as tx:
        return tx.product_costs(site.shop.id)


def post_cost(
    site: Site, client: TestClient, sku: str, cost: str, day: str = "2026-01-01", **extra: str
) -> Response:
    path = f"/shops/{site.shop.id}/products"
    data = {"csrf_token": site.csrf(client, path), "cost": cost, "effective_from": day}
    return client.post(
        f"{path}/{sku}/cost",
        data={**data, "as_of": AS_OF.isoformat(), **extra},
        follow_redirects=False,
    )


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_sku_with_its_unit_economics(site: Site, language: Language) -> None:
    if language == "en":
        switch_language(site, site.pages, "en", f"/shops/{site.shop.id}/products")
    doc = products_page(site)
    fmt = Formatter(language)
    rows = {r["data-sku"]: r for r in doc.by_id("products-table").select("tr", data_sku=True)}
    assert list(rows) == ["BLENDER-03", KETTLE, "MUG-02"]  # the whole catalog, by SKU
    kettle = row_of(site, KETTLE)
    assert kettle.economics is not None and kettle.missing == ()
    cells = rows[KETTLE].select("td")
    assert cells[3].text == fmt.money(kettle.economics.price_tiyn) == fmt.money(1_499_000)
    assert rows[KETTLE].one(data_figure="profit").text == fmt.money(kettle.economics.profit_tiyn)
    assert rows[KETTLE].one(data_figure="purchase").one("span").text == fmt.tenge(Decimal(7500))
    # The blender did not sell in March: no price, said in the viewer's language.
    assert rows["BLENDER-03"]["data-missing"] == "price"
    assert rows["BLENDER-03"].select("td")[-1].text == (
        "нет данных: цены (не продавался)" if language == "ru" else "no data: price (not sold)"
    )
    assert rows[KETTLE].one("form")["action"] == f"/shops/{site.shop.id}/products/{KETTLE}/cost"
    # A page of the table: how many rows, every heading a link sorting the whole table.
    assert pager_of(doc, "products-list") == (1, 1, 3)
    assert pager(doc, "products-list").one("span").text == (
        "Страница 1 из 1 · строк: 3" if language == "ru" else "Page 1 of 1 · rows: 3"
    )
    headings = doc.by_id("products-table").select("th", data_column=True)
    assert len(headings) == 14 and all(th.select("a") for th in headings)


def test_sorted_by_profit_with_the_unknown_last(site: Site) -> None:
    catalog = site.services.catalog.products(site.shop, AS_OF).rows
    known = [r for r in catalog if r.economics is not None]
    by_profit = sorted(known, key=lambda r: r.economics.profit_tiyn if r.economics else 0)
    expected = [r.sku for r in by_profit] + [r.sku for r in catalog if r.economics is None]
    assert expected[-1] == "BLENDER-03"  # not sold in March: no profit
    for desc in ("0", "1"):
        answer = site.pages.get(
            f"/shops/{site.shop.id}/products",
            params={"as_of": AS_OF.isoformat(), "sort": "profit", "desc": desc},
        )
        doc = parse(answer.text)
        shown = [r["data-sku"] for r in doc.by_id("products-table").select("tr", data_sku=True)]
        ordered = expected if desc == "0" else [*expected[:-1][::-1], expected[-1]]
        assert shown == ordered
        heading = doc.by_id("products-table").one("th", data_column="profit")
        assert heading["aria-sort"] == ("descending" if desc == "1" else "ascending")
    found = parse(
        site.pages.get(
            f"/shops/{site.shop.id}/products", params={"as_of": AS_OF.isoformat(), "q": "чайник"}
        ).text
    )
    assert [r["data-sku"] for r in found.select("tr", data_sku=True)] == [KETTLE]


def test_editing_a_cost_changes_the_unit_economics(site: Site) -> None:
    before = row_of(site, KETTLE).economics
    assert before is not None and before.purchase_tiyn == 750_000
    answer = post_cost(site, site.pages, KETTLE, "1 000", "2026-01-01")
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith(f"/shops/{site.shop.id}/products?as_of=2026-03-31")
    assert ProductCost(KETTLE, date(2026, 1, 1), Decimal("1000.00")) in stored_costs(site)
    after = row_of(site, KETTLE).economics
    assert after is not None and after.purchase_tiyn == 100_000
    # Only the purchase cost moved: profit per unit rises by exactly 6 500 ₸.
    assert after.profit_tiyn - before.profit_tiyn == 650_000
    doc = parse(site.pages.get(location).text)
    assert (
        doc.by_id("saved").text
        == "Закупочная цена KETTLE-01 сохранена: 1\u00a0000\u00a0₸ с 01.01.2026."
    )
    kettle = doc.one("tr", data_sku=KETTLE)
    assert kettle.one(data_figure="profit").text == Formatter("ru").money(after.profit_tiyn)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_bad_input_names_the_field_and_stores_nothing(site: Site, language: Language) -> None:
    if language == "en":
        switch_language(site, site.pages, "en", f"/shops/{site.shop.id}/products")
    stored = stored_costs(site)
    answer = post_cost(site, site.pages, KETTLE, "12,345", "31/02/2026")
    assert answer.status_code == 400
    doc = parse(answer.text)
    problems = {li["data-field"]: li.text for li in doc.by_id("cost-error").select("li")}
    if language == "ru":
        assert problems["cost"].startswith("Закупочная цена: нужна сумма в тенге")
        assert problems["effective_from"].startswith("Действует с: нужна дата")
    else:
        assert problems["cost"].startswith("Purchase cost: expected tenge")
        assert problems["effective_from"].startswith("In effect from: expected a date")
    assert "12,345" in problems["cost"]
    # The form keeps what was typed, marked invalid.
    field = doc.one("tr", data_sku=KETTLE).one("input", name="cost")
    assert field["value"] == "12,345" and field.get("aria-invalid") == "true"
    for bad in ("-5", "abc", "", "2000000000"):
        assert post_cost(site, site.pages, KETTLE, bad).status_code == 400
    assert stored_costs(site) == stored


def test_viewers_cannot_edit_and_forms_need_the_csrf_token(site: Site) -> None:
    stored = stored_costs(site)
    make_user(site.services, "viewer", site.shop, Role.VIEWER)
    viewer = TestClient(site.pages.app)
    site.login(viewer, "viewer")
    doc = products_page(site, viewer)
    assert doc.select("form", class_="cost-form") == []
    assert post_cost(site, viewer, KETTLE, "1000").status_code == 403
    forged = site.pages.post(
        f"/shops/{site.shop.id}/products/{KETTLE}/cost",
        data={"cost": "1000", "effective_from": "2026-01-01"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert stored_costs(site) == stored
    # A manager may edit.
    make_user(site.services, "manager", site.shop, Role.MANAGER)
    manager = TestClient(site.pages.app)
    site.login(manager, "manager")
    assert post_cost(site, manager, KETTLE, "7000").status_code == 303
    # A SKU the shop has never had is not made up.
    assert post_cost(site, manager, "NO-SUCH-SKU", "7000").status_code == 404


def test_the_api_twin(site: Site) -> None:
    base = f"/api/v1/shops/{site.shop.id}/products"
    data = site.api.get(base, params={"as_of": AS_OF.isoformat()}).json()
    rows = {r["sku"]: r for r in data["products"]}
    kettle = row_of(site, KETTLE).economics
    assert kettle is not None
    assert rows[KETTLE]["economics"]["profit"] == str(Decimal(kettle.profit_tiyn) / 100)
    assert rows[KETTLE]["purchase_cost"] == {
        "sku": KETTLE, "purchase_cost": "7500.00", "effective_from": "2026-01-01"
    }  # fmt: skip
    assert rows["BLENDER-03"]["economics"] is None and rows["BLENDER-03"]["missing"] == ["price"]

    stored = stored_costs(site)
    for bad in ({"cost": -1}, {"cost": "1.234"}, {"cost": "cheap"}, {}, {"cost": 1, "x": 1}):
        assert site.api.put(f"{base}/{KETTLE}/cost", json=bad).status_code == 422, bad
    assert site.api.put(f"{base}/NO-SUCH-SKU/cost", json={"cost": 1}).status_code == 404
    viewer_token = make_user(site.services, "viewer", site.shop, Role.VIEWER)
    as_viewer = {"Authorization": f"Bearer {viewer_token}"}
    refused = site.anonymous.put(f"{base}/{KETTLE}/cost", json={"cost": 1}, headers=as_viewer)
    assert refused.status_code == 403
    # The page's own session may call the API too, but only with the CSRF header.
    assert site.pages.put(f"{base}/{KETTLE}/cost", json={"cost": 1}).status_code == 403
    assert stored_costs(site) == stored

    answer = site.api.put(
        f"{base}/{KETTLE}/cost", json={"cost": "1000.50", "effective_from": "2026-01-01"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "sku": KETTLE, "purchase_cost": "1000.50", "effective_from": "2026-01-01"
    }  # fmt: skip
    after = row_of(site, KETTLE).economics
    assert after is not None and after.profit_tiyn - kettle.profit_tiyn == 750_000 - 100_050
    other = site.services.add_shop("other", None, None, None)
    assert site.api.get(f"/api/v1/shops/{other.id}/products").status_code == 404
