"""The Shops page, a shop's Settings page and their API twins: adding a shop (its adder becomes
owner, nothing half-made on an error), the token, the time zone, the thresholds in force,
members (never without an owner) and the seller's commission rates; 403 and 404 by role."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from webshop import Site, make_user

from saudager.domains.accounts.types import Role

NBSP = "\u00a0"


def _shop_count(site: Site) -> int:
    with site.services.store.transaction() as tx:
        return len(tx.list_shops())


def _client(site: Site, username: str) -> TestClient:
    client = TestClient(site.pages.app)
    site.login(client, username)
    return client


def _english(site: Site, client: TestClient) -> None:
    token = site.csrf(client, "/shops")
    client.post("/language", data={"language": "en", "csrf_token": token, "next": "/"})


def _row(html: str, marker: str) -> str:
    """The table row carrying ``marker`` (an attribute such as data-shop="1")."""
    found = re.search(rf"<tr [^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", html, re.S)
    assert found, marker
    return found.group(1)


# ------------------------------------------------------------------------------------ shops


def test_shops_page_lists_the_users_shops_with_real_figures_in_both_languages(
    site: Site,
) -> None:
    stranger_shop = site.services.add_shop("not yours", None, None, None)
    make_user(site.services, "stranger", stranger_shop, Role.OWNER)
    [overview] = site.services.shops.overview(only={site.shop.id})
    assert overview.orders > 0

    page = site.pages.get("/shops")
    assert page.status_code == 200
    row = _row(page.text, f'data-shop="{site.shop.id}"')
    assert "files" in row and "владелец" in row and "Asia/Almaty" in row
    assert f'data-value="{overview.orders}">{overview.orders}<' in row
    assert "не задан" in row and "ещё не было" in row
    assert "not yours" not in page.text  # another tenant's shop is not listed

    _english(site, site.pages)
    page = site.pages.get("/shops")
    row = _row(page.text, f'data-shop="{site.shop.id}"')
    assert "owner" in row and "not set" in row and "never" in row
    assert "Add a shop" in page.text


def test_adding_a_shop_makes_its_adder_owner_and_keeps_the_token_secret(site: Site) -> None:
    token = site.csrf(site.pages, "/shops")
    secret = "kaspi-secret-token-123"
    answer = site.pages.post(
        "/shops",
        data={"name": " Новый магазин ", "token": secret, "timezone": "Asia/Aqtobe",
              "csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert answer.status_code == 303
    shop_id = int(answer.headers["location"].split("/")[2])
    shop = site.services.shop(str(shop_id))
    assert (shop.name, shop.timezone, shop.has_token) == ("Новый магазин", "Asia/Aqtobe", True)
    owner = site.services.accounts.user_by_name("owner")
    assert site.services.accounts.role(owner.id, shop_id) == Role.OWNER
    with site.services.store.transaction() as tx:
        stored = tx.shop_token(shop_id)
    assert stored is not None and secret.encode() not in stored
    assert site.services.cipher.decrypt(stored) == secret
    settings = site.pages.get(answer.headers["location"])
    assert "Магазин добавлен" in settings.text
    for page in (settings.text, site.pages.get("/shops").text):
        assert secret not in page


@pytest.mark.parametrize(
    ("name", "zone", "message"),
    [
        ("files", "Asia/Almaty", "Магазин «files» уже есть"),
        ("Другой", "Mars/Olympus", "Неизвестный часовой пояс «Mars/Olympus»"),
        ("   ", "Asia/Almaty", "Укажите название магазина"),
    ],
)
def test_a_refused_shop_is_explained_on_the_form_and_nothing_is_created(
    site: Site, name: str, zone: str, message: str
) -> None:
    before = _shop_count(site)
    token = site.csrf(site.pages, "/shops")
    answer = site.pages.post(
        "/shops", data={"name": name, "token": "t0ken", "timezone": zone, "csrf_token": token}
    )
    assert answer.status_code == 422
    assert message in answer.text
    assert "t0ken" not in answer.text  # the token is never sent back
    assert _shop_count(site) == before
    assert (
        len(site.services.accounts.shops_of(site.services.accounts.user_by_name("owner").id)) == 1
    )


def test_api_adds_a_shop_for_its_caller(site: Site) -> None:
    answer = site.api.post("/api/v1/shops", json={"name": "api shop", "timezone": "Asia/Oral"})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["name"], body["role"], body["timezone"], body["has_token"], body["orders"]) == (
        "api shop", "owner", "Asia/Oral", False, 0,
    )  # fmt: skip
    names = [s["name"] for s in site.api.get("/api/v1/shops").json()["shops"]]
    assert sorted(names) == ["api shop", "files"]
    before = _shop_count(site)
    assert site.api.post("/api/v1/shops", json={"name": "api shop"}).status_code == 409
    assert (
        site.api.post("/api/v1/shops", json={"name": "x", "timezone": "Nowhere"}).status_code == 422
    )
    assert site.api.post("/api/v1/shops", json={"name": " "}).status_code == 422
    assert site.anonymous.post("/api/v1/shops", json={"name": "anon"}).status_code == 401
    assert _shop_count(site) == before


# --------------------------------------------------------------------------------- settings


def test_settings_page_shows_the_thresholds_in_force_in_both_languages(site: Site) -> None:
    path = f"/shops/{site.shop.id}/settings"
    page = site.pages.get(path)
    assert page.status_code == 200
    rating = _row(page.text, 'data-indicator="rating"')
    assert "90" in rating and "ниже 4,0" in rating and "не ниже 4,6" in rating
    cancellations = _row(page.text, 'data-indicator="seller_cancellations"')
    assert f"от 3{NBSP}%" in cancellations and f"не выше 1{NBSP}%" in cancellations
    late = _row(page.text, 'data-indicator="late_handovers"')
    assert f"от 10{NBSP}%" in late
    assert "настройки всей установки" in page.text
    assert "Синхронизаций ещё не было" in page.text
    assert "У магазина нет токена Kaspi API" in page.text
    assert f'href="/shops/{site.shop.id}/products"' in page.text

    _english(site, site.pages)
    page = site.pages.get(path)
    rating = _row(page.text, 'data-indicator="rating"')
    assert "below 4.0" in rating and "at least 4.6" in rating
    assert "install-wide settings" in page.text
    assert "No sync has run yet." in page.text


def test_owner_replaces_and_removes_the_token(site: Site) -> None:
    path = f"/shops/{site.shop.id}/settings"
    token = site.csrf(site.pages, path)
    answer = site.pages.post(
        f"{path}/token", data={"token": "new-token-value", "action": "save", "csrf_token": token}
    )
    assert answer.status_code == 200 and "Токен сохранён." in answer.text
    assert "new-token-value" not in answer.text
    with site.services.store.transaction() as tx:
        stored = tx.shop_token(site.shop.id)
    assert stored is not None and site.services.cipher.decrypt(stored) == "new-token-value"
    empty = site.pages.post(f"{path}/token", data={"token": " ", "csrf_token": token})
    assert empty.status_code == 422 and "Вставьте токен." in empty.text
    site.pages.post(f"{path}/token", data={"action": "remove", "csrf_token": token})
    assert not site.services.shop(str(site.shop.id)).has_token
    # The API twin.
    assert (
        site.api.put(f"/api/v1/shops/{site.shop.id}/token", json={"token": "api"}).status_code
        == 204
    )
    assert site.services.shop(str(site.shop.id)).has_token
    assert site.api.delete(f"/api/v1/shops/{site.shop.id}/token").status_code == 204
    assert not site.services.shop(str(site.shop.id)).has_token


def test_owner_changes_the_time_zone_and_an_unknown_one_is_refused(site: Site) -> None:
    path = f"/shops/{site.shop.id}/settings"
    token = site.csrf(site.pages, path)
    bad = site.pages.post(
        f"{path}/timezone", data={"timezone": "Asia/Nowhere", "csrf_token": token}
    )
    assert bad.status_code == 422 and "Неизвестный часовой пояс «Asia/Nowhere»" in bad.text
    assert site.services.shop(str(site.shop.id)).timezone == "Asia/Almaty"
    with site.services.store.transaction() as tx:
        revision = tx.data_revision(site.shop.id)
    good = site.pages.post(
        f"{path}/timezone", data={"timezone": "Asia/Tashkent", "csrf_token": token}
    )
    assert good.status_code == 200 and "Часовой пояс изменён." in good.text
    assert site.services.shop(str(site.shop.id)).timezone == "Asia/Tashkent"
    with site.services.store.transaction() as tx:
        assert tx.data_revision(site.shop.id) > revision  # local days moved: reports reread
    api = site.api.put(f"/api/v1/shops/{site.shop.id}/timezone", json={"timezone": "Asia/Almaty"})
    assert api.status_code == 200 and api.json()["timezone"] == "Asia/Almaty"
    assert (
        site.api.put(f"/api/v1/shops/{site.shop.id}/timezone", json={"timezone": "x"}).status_code
        == 422
    )


def test_commission_rates_are_listed_and_added(site: Site) -> None:
    path = f"/shops/{site.shop.id}/settings"
    assert "Своих ставок нет" in site.pages.get(path).text
    token = site.csrf(site.pages, path)
    answer = site.pages.post(
        f"{path}/commissions",
        data={"category": "Смартфоны", "payment_mode": "PREPAID", "effective_from": "2026-01-01",
              "percent": "12,5", "source": "договор", "csrf_token": token},
    )  # fmt: skip
    assert answer.status_code == 200 and "Ставка комиссии сохранена." in answer.text
    [rate] = site.services.analytics.commission_rates(site.shop)
    assert (rate.category, rate.payment_mode, rate.effective_from, rate.rate_bp, rate.source) == (
        "Смартфоны", "PREPAID", date(2026, 1, 1), 1250, "договор",
    )  # fmt: skip
    row = _row(answer.text, 'data-category="Смартфоны"')
    assert f"12,50{NBSP}%" in row and "предоплата" in row and "01.01.2026" in row
    bad = site.pages.post(
        f"{path}/commissions",
        data={"category": "*", "payment_mode": "*", "percent": "140", "csrf_token": token},
    )
    assert bad.status_code == 422 and "Ставка не сохранена" in bad.text
    assert len(site.services.analytics.commission_rates(site.shop)) == 1
    api = f"/api/v1/shops/{site.shop.id}/commissions"
    added = site.api.post(api, json={"category": "*", "percent": "9", "payment_mode": "*"})
    assert added.status_code == 201 and added.json()["percent"] == "9"
    assert [c["category"] for c in site.api.get(api).json()["commissions"]] == ["*", "Смартфоны"]
    assert (
        site.api.post(
            api, json={"category": "*", "percent": "9", "payment_mode": "CASH"}
        ).status_code
        == 422
    )

    _english(site, site.pages)
    row = _row(site.pages.get(path).text, 'data-category="Смартфоны"')
    assert f"12.50{NBSP}%" in row and "prepaid" in row


# ---------------------------------------------------------------------------------- members


def test_owner_manages_members_but_never_removes_the_last_owner(site: Site) -> None:
    accounts = site.services.accounts
    make_user(site.services, "helper1", None, Role.VIEWER)
    owner = accounts.user_by_name("owner")
    path = f"/shops/{site.shop.id}/settings"
    token = site.csrf(site.pages, path)

    added = site.pages.post(
        f"{path}/members", data={"username": "Helper1", "role": "manager", "csrf_token": token}
    )
    assert added.status_code == 200 and "Участник сохранён." in added.text
    helper = accounts.user_by_name("helper1")
    assert accounts.role(helper.id, site.shop.id) == Role.MANAGER
    assert 'data-member="helper1" data-role="manager"' in added.text

    unknown = site.pages.post(
        f"{path}/members", data={"username": "ghost", "role": "viewer", "csrf_token": token}
    )
    assert unknown.status_code == 422 and "Пользователя «ghost» нет" in unknown.text

    make_user(site.services, "helper2", site.shop, Role.VIEWER)
    helper2 = accounts.user_by_name("helper2")
    removed = site.pages.post(
        f"{path}/members", data={"user_id": helper2.id, "action": "remove", "csrf_token": token}
    )
    assert removed.status_code == 200 and "Участник удалён." in removed.text
    assert accounts.role(helper2.id, site.shop.id) is None

    for data in ({"action": "remove"}, {"action": "role", "role": "manager"}):
        refused = site.pages.post(
            f"{path}/members", data={**data, "user_id": owner.id, "csrf_token": token}
        )
        assert refused.status_code == 409
        assert "У магазина должен остаться владелец" in refused.text
        assert accounts.role(owner.id, site.shop.id) == Role.OWNER

    site.pages.post(
        f"{path}/members",
        data={"user_id": helper.id, "role": "owner", "action": "role", "csrf_token": token},
    )
    assert accounts.role(helper.id, site.shop.id) == Role.OWNER
    # With a second owner, the first may step down.
    site.pages.post(
        f"{path}/members",
        data={"user_id": owner.id, "role": "viewer", "action": "role", "csrf_token": token},
    )
    assert accounts.role(owner.id, site.shop.id) == Role.VIEWER
    page = site.pages.get(path)
    assert "Участниками управляет владелец магазина." in page.text
    assert "members-table" not in page.text


def test_members_api_follows_the_same_rules(site: Site) -> None:
    make_user(site.services, "colleague", None, Role.VIEWER)
    base = f"/api/v1/shops/{site.shop.id}/members"
    owner_id = site.services.accounts.user_by_name("owner").id
    added = site.api.post(base, json={"username": "colleague", "role": "viewer"})
    assert added.status_code == 200 and added.json()["role"] == "viewer"
    members = site.api.get(base).json()["members"]
    assert [(m["username"], m["role"]) for m in members] == [
        ("colleague", "viewer"),
        ("owner", "owner"),
    ]
    assert site.api.delete(f"{base}/{owner_id}").status_code == 409
    assert site.api.post(base, json={"username": "owner", "role": "manager"}).status_code == 409
    assert site.api.post(base, json={"username": "nobody", "role": "viewer"}).status_code == 422
    assert site.api.post(base, json={"username": "colleague", "role": "king"}).status_code == 422
    colleague = added.json()["user_id"]
    assert site.api.delete(f"{base}/{colleague}").status_code == 204
    assert site.api.delete(f"{base}/{colleague}").status_code == 404
    assert [m["username"] for m in site.api.get(base).json()["members"]] == ["owner"]


def test_roles_decide_what_a_member_may_post_and_strangers_see_nothing(site: Site) -> None:
    viewer_token = make_user(site.services, "watcher", site.shop, Role.VIEWER)
    manager_token = make_user(site.services, "runner", site.shop, Role.MANAGER)
    stranger_token = make_user(site.services, "stranger", None, Role.VIEWER)
    path = f"/shops/{site.shop.id}/settings"

    watcher = _client(site, "watcher")
    page = watcher.get(path)
    assert page.status_code == 200
    assert "Токен и часовой пояс меняет владелец магазина." in page.text
    token = site.csrf(watcher, path)
    for action, data in (
        ("token", {"token": "x"}),
        ("timezone", {"timezone": "UTC"}),
        ("members", {"username": "watcher", "role": "owner"}),
        ("commissions", {"category": "*", "percent": "1", "payment_mode": "*"}),
    ):
        answer = watcher.post(f"{path}/{action}", data={**data, "csrf_token": token})
        assert answer.status_code == 403, action
    assert (
        site.services.accounts.role(site.services.accounts.user_by_name("watcher").id, site.shop.id)
        == Role.VIEWER
    )
    assert site.services.shop(str(site.shop.id)).timezone == "Asia/Almaty"

    runner = _client(site, "runner")
    token = site.csrf(runner, path)
    assert (
        runner.post(f"{path}/timezone", data={"timezone": "UTC", "csrf_token": token}).status_code
        == 403
    )
    assert (
        runner.post(
            f"{path}/commissions",
            data={"category": "*", "percent": "7", "payment_mode": "*", "csrf_token": token},
        ).status_code
        == 200
    )

    stranger = _client(site, "stranger")
    assert stranger.get(path).status_code == 404
    token = site.csrf(stranger, "/shops")
    assert (
        stranger.post(f"{path}/timezone", data={"timezone": "UTC", "csrf_token": token}).status_code
        == 404
    )

    api = TestClient(site.pages.app)
    for bearer, status in ((viewer_token, 403), (manager_token, 403), (stranger_token, 404)):
        api.headers["Authorization"] = f"Bearer {bearer}"
        assert api.get(f"/api/v1/shops/{site.shop.id}/members").status_code == status
        assert (
            api.put(f"/api/v1/shops/{site.shop.id}/token", json={"token": "x"}).status_code
            == status
        )
    api.headers["Authorization"] = f"Bearer {stranger_token}"
    assert api.get(f"/api/v1/shops/{site.shop.id}/sync-runs").status_code == 404
    assert api.get(f"/api/v1/shops/{site.shop.id}/commissions").status_code == 404
