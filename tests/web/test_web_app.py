"""The web app: health, logging in and out, the home page, the shops API, the language."""

from __future__ import annotations

from fastapi.testclient import TestClient
from webshop import PASSWORD, Site, make_user

from saudager.domains.accounts.types import Role


def test_health_needs_no_login(site: Site) -> None:
    assert site.anonymous.get("/health").json()["status"] == "ok"


def test_pages_send_anonymous_visitors_to_login_and_back(site: Site) -> None:
    answer = site.anonymous.get(f"/shops/{site.shop.id}?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/shops/{site.shop.id}%3Fx%3D1"
    assert site.anonymous.get("/api/v1/shops").status_code == 401


def test_login_sets_a_hardened_cookie_and_logout_ends_the_session(site: Site) -> None:
    client = TestClient(site.pages.app)
    site.login(client, "owner")
    cookie = client.cookies.get("saudager_session")
    assert cookie
    with site.services.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT secret_digest FROM web_sessions").scalars()
        assert cookie not in set(stored)  # only a digest is kept
    assert client.get("/api/v1/me").json()["username"] == "owner"
    token = site.csrf(client, "/")
    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set("saudager_session", cookie)  # replaying the old cookie does not work
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_user_read_the_same(site: Site) -> None:
    client = TestClient(site.pages.app)
    answers = []
    for username, password in (("owner", "wrong password!"), ("nobody", PASSWORD)):
        form = client.get("/login").text
        token = form.split('name="csrf_token" value="')[1].split('"')[0]
        answer = client.post(
            "/login", data={"username": username, "password": password, "csrf_token": token}
        )
        answers.append((answer.status_code, answer.text.count("Неверное имя пользователя")))
    assert answers == [(401, 1), (401, 1)]


def test_login_form_without_its_csrf_token_is_refused(site: Site) -> None:
    client = TestClient(site.pages.app)
    answer = client.post("/login", data={"username": "owner", "password": PASSWORD})
    assert answer.status_code == 403
    assert client.get("/api/v1/me").status_code == 401


def test_forms_without_the_session_csrf_token_change_nothing(site: Site) -> None:
    answer = site.pages.post("/language", data={"language": "en", "csrf_token": "forged"})
    assert answer.status_code == 403
    assert site.pages.get("/api/v1/me").json()["language"] == "ru"


def test_language_switch_is_remembered_for_the_user(site: Site) -> None:
    token = site.csrf(site.pages, "/")
    site.pages.post("/language", data={"language": "en", "csrf_token": token, "next": "/"})
    assert site.api.get("/api/v1/me").json()["language"] == "en"
    assert "Log out" in site.pages.get("/no-such-page").text


def test_shops_api_lists_only_the_users_shops(site: Site) -> None:
    other = site.services.add_shop("someone else's", None, None, None)
    make_user(site.services, "stranger", other, Role.OWNER)
    shops = site.api.get("/api/v1/shops").json()["shops"]
    assert [(s["name"], s["role"], s["has_token"]) for s in shops] == [("files", "owner", False)]


def test_openapi_is_published(site: Site) -> None:
    paths = site.anonymous.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/shops" in paths and "/api/v1/shops/{shop_id}/quality" in paths


def test_security_headers_and_server_timing(site: Site) -> None:
    answer = site.pages.get("/login")
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Server-Timing"].startswith("app;dur=")


def test_plotly_is_served_locally(site: Site) -> None:
    answer = site.anonymous.get("/static/vendor/plotly.min.js")
    assert answer.status_code == 200 and len(answer.content) > 1_000_000
