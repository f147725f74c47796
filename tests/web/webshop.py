"""The web tests' site: an app with a shop filled from the example import files, its owner
logged in (cookie), an API client with the owner's bearer token, and an anonymous client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from saudager.domains.accounts.types import Role
from saudager.domains.shops.types import Shop
from saudager.web.i18n import Language
from saudager.wiring import Services

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import"
PASSWORD = "correct horse battery"


@dataclass
class Site:
    services: Services
    shop: Shop
    pages: TestClient  # logged in as the owner, with the session cookie
    api: TestClient  # the owner's bearer token
    anonymous: TestClient

    def login(self, client: TestClient, username: str, password: str = PASSWORD) -> None:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token, form.text
        answer = client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text

    def csrf(self, client: TestClient, path: str) -> str:
        """The CSRF token of a page's forms."""
        found = re.search(r'name="csrf-token" content="([^"]*)"', client.get(path).text)
        assert found
        return found.group(1)


def make_user(services: Services, username: str, shop: Shop | None, role: Role) -> str:
    """A user (password ``PASSWORD``) with ``role`` in ``shop``; returns an API token."""
    user = services.accounts.add_user(username, PASSWORD)
    if shop is not None:
        services.accounts.grant(user.id, shop.id, role)
    return services.accounts.issue_api_token(user.id, "tests")


def api_client(site: Site, username: str, shop: Shop | None, role: Role) -> TestClient:
    """A client of the JSON API with the bearer token of a new user of ``role`` in ``shop``."""
    client = TestClient(site.pages.app)
    client.headers["Authorization"] = f"Bearer {make_user(site.services, username, shop, role)}"
    return client


def switch_language(site: Site, client: TestClient, language: Language, path: str) -> None:
    """Choose ``language`` for ``client`` with the language form of the page at ``path``."""
    answer = client.post(
        "/language",
        data={"csrf_token": site.csrf(client, path), "language": language, "next": path},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def know_packaging(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seller has said what packaging costs (100 ₸ an order): profit can be computed.
    Set before the ``site`` fixture loads its settings (an autouse fixture)."""
    monkeypatch.setenv("SAUDAGER_ANALYTICS__PACKAGING_PER_ORDER_TIYN", "10000")
