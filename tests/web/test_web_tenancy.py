"""A shop the user is no member of does not exist for them — on every route, with every method.

The routes come from the app's own table (``routecatalog``), so a route added later is checked
without anyone listing it here: every page and API route with a ``{shop_id}`` is called by the
owner of shop A with shop B's id (B exists, with data, owned by someone else) and real ids of
B's SKUs, orders and members, by cookie (with the session's CSRF token, so that a refusal for a
missing token cannot hide the answer) and by bearer token. Each must answer 404, exactly as
for a shop that does not exist at all, and show nothing of B.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import routecatalog
from fastapi.testclient import TestClient
from httpx import Response
from routecatalog import Call
from webshop import EXAMPLES, Site, make_user

from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop

OTHER_SHOP = "Чужой магазин Бета"
OTHER_OWNER = "beta_owner"
#: Routes without a shop id that change the caller's own state only (or add a shop of their
#: own); they take no id of anybody else's, so there is nothing of another tenant to ask for.
OWN_STATE_ONLY = {
    "POST /login",
    "POST /logout",
    "POST /language",
    "POST /shops",
    "POST /api/v1/shops",
}
#: Routes called by a provider, not by a user: no session, no token, no shop id. They are
#: authenticated by the provider's signature over the body (their own tests check that an
#: unsigned or wrongly signed call changes nothing).
SIGNED_BY_PROVIDER = {
    "POST /webhooks/whatsapp",
}
#: At least the quality and report API must be found: an empty table would prove nothing.
FEWEST_SHOP_ROUTES = 6


@dataclass(frozen=True)
class Other:
    """Shop B: its owner is somebody else, and it has data and a job of its own."""

    shop: Shop
    job_id: str


@pytest.fixture
def other(site: Site) -> Other:
    services = site.services
    shop = services.add_shop(OTHER_SHOP, None, None, None)
    services.imports.import_files(shop, sorted(EXAMPLES.glob("*.csv")))
    token = make_user(services, OTHER_OWNER, shop, Role.OWNER)
    with (EXAMPLES / "returns.csv").open("rb") as returns:
        started = site.api.post(
            f"/api/v1/shops/{shop.id}/imports",
            files={"files": ("returns.csv", returns, "text/csv")},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert started.status_code == 200, started.text
    return Other(shop, started.json()["job"]["id"])


def tenant_values(site: Site, other: Other) -> dict[str, object]:
    """Real ids of the other shop's things, by the names routes give their parameters."""
    shop = other.shop
    services = site.services
    with services.store.transaction() as tx:
        sku = tx.list_products(shop.id)[0].sku
        order = tx.list_orders(shop.id)[0].code
    owner = services.accounts.members(shop.id)[0][0]
    return {
        "shop_id": shop.id,
        "shop": shop.id,
        "sku": sku,
        "code": order,
        "order_code": order,
        "user_id": owner.id,
        "member_id": owner.id,
        "job_id": other.job_id,
        "job": other.job_id,
        "indicator": "rating",
    }


def send(client: TestClient, call: Call, csrf: str | None) -> Response:
    """The call as a browser (``csrf``: the session's token) or a script with a token."""
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    if call.method in {"GET", "HEAD"}:
        return client.request(call.method, call.url, headers=headers, follow_redirects=False)
    if call.has_json:
        return client.request(
            call.method, call.url, json=call.json, headers=headers, follow_redirects=False
        )
    data = {**call.form, **({"csrf_token": csrf} if csrf else {})}
    return client.request(
        call.method, call.url, data=data, files=call.files or None, headers=headers,
        follow_redirects=False,
    )  # fmt: skip


def clients(site: Site) -> Iterator[tuple[str, TestClient, str | None]]:
    csrf = site.csrf(site.pages, "/")
    assert csrf
    yield "cookie", site.pages, csrf
    yield "bearer", site.api, None


def shown(answer: Response, shop_id: object) -> str:
    """The answer with the asked-for id blanked out, to compare two answers."""
    return re.sub(rf"\b{shop_id}\b", "ID", answer.text)


def shop_route_leaks(site: Site, other: Other) -> tuple[list[str], int]:
    """What every ``{shop_id}`` route tells the owner of ``site.shop`` about the other shop
    (each line a leak), and how many calls were made."""
    values = tenant_values(site, other)
    nowhere = {**values, "shop_id": other.shop.id + 1000, "shop": other.shop.id + 1000}
    leaks: list[str] = []
    checked = 0
    for route in routecatalog.routes(site.pages.app):
        if "{shop_id}" not in route.path:
            continue
        asked = routecatalog.calls(route, values)
        for call, missing in zip(asked, routecatalog.calls(route, nowhere), strict=True):
            for how, client, csrf in clients(site):
                answer = send(client, call, csrf)
                checked += 1
                where = f"{how} {call.method} {call.url}"
                if answer.status_code != 404:
                    leaks.append(f"{where}: {answer.status_code}")
                elif OTHER_SHOP in answer.text or OTHER_OWNER in answer.text:
                    leaks.append(f"{where}: names the other shop")
                else:
                    # Not even whether the shop exists: the same answer as for no shop at all.
                    unknown = send(client, missing, csrf)
                    if (unknown.status_code, shown(unknown, nowhere["shop_id"])) != (
                        answer.status_code,
                        shown(answer, other.shop.id),
                    ):
                        leaks.append(f"{where}: differs from the answer for no shop")
    return leaks, checked


def test_every_shop_route_answers_404_for_a_shop_of_somebody_else(site: Site, other: Other) -> None:
    shop_routes = [r.path for r in routecatalog.routes(site.pages.app) if "{shop_id}" in r.path]
    assert len(shop_routes) >= FEWEST_SHOP_ROUTES, shop_routes
    leaks, checked = shop_route_leaks(site, other)
    assert leaks == []
    assert checked >= 2 * len(shop_routes)  # every route, by cookie and by bearer token


def test_every_shop_route_answers_404_for_an_id_no_database_holds(site: Site, other: Other) -> None:
    # Beyond 64 bits no integer column can hold it; the lookup must say "no such shop" rather
    # than fail in the database driver (a server error).
    values = {**tenant_values(site, other), "shop_id": 2**64, "user_id": 2**64}
    answers: set[str] = set()
    for route in routecatalog.routes(site.pages.app):
        if "{shop_id}" in route.path:
            for call in routecatalog.calls(route, values):
                for how, client, csrf in clients(site):
                    status = send(client, call, csrf).status_code
                    answers.add(f"{status}" if status == 404 else f"{how} {call.label}: {status}")
    assert answers == {"404"}


def test_a_route_forgetting_the_membership_check_is_caught(site: Site, other: Other) -> None:
    app = site.pages.app

    @app.get("/api/v1/shops/{shop_id}/careless")
    def careless(shop_id: int) -> dict[str, str]:
        with site.services.store.transaction() as tx:
            return {"name": tx.get_shop(shop_id).name}

    leaks, _ = shop_route_leaks(site, other)
    assert leaks == [
        f"{how} GET /api/v1/shops/{other.shop.id}/careless: 200" for how in ("cookie", "bearer")
    ]


def test_routes_without_a_shop_id_show_nothing_of_other_shops(site: Site, other: Other) -> None:
    app = site.pages.app
    values = tenant_values(site, other)
    problems: list[str] = []
    for route in routecatalog.routes(app):
        if "{shop_id}" in route.path:
            continue
        for call in routecatalog.calls(route, values):
            asks_for_other = bool(set(call.params) & set(values))
            if call.method not in {"GET", "HEAD"} and not asks_for_other:
                if call.label not in OWN_STATE_ONLY | SIGNED_BY_PROVIDER:
                    problems.append(f"{call.label}: not checked; decide how and add it here")
                continue
            for how, client, csrf in clients(site):
                answer = send(client, call, csrf)
                if asks_for_other and answer.status_code != 404:
                    problems.append(f"{how} {call.method} {call.url}: {answer.status_code}")
                if OTHER_SHOP in answer.text or OTHER_OWNER in answer.text:
                    problems.append(f"{how} {call.method} {call.url}: shows the other shop")
    assert problems == []


def test_the_shop_list_holds_only_the_users_shops(site: Site, other: Other) -> None:
    listed = site.api.get("/api/v1/shops").json()["shops"]
    assert [row["id"] for row in listed] == [site.shop.id]
    assert OTHER_SHOP not in site.pages.get("/", follow_redirects=True).text
