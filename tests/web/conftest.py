"""Fixtures of the web tests (see ``webshop.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webshop import EXAMPLES, Site, make_user

from saudager.domains.accounts.types import Role
from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import build_services


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    services = build_services(load_settings(None, home=tmp_path))
    shop = services.add_shop("files", None, None, None)
    services.imports.import_files(shop, sorted(EXAMPLES.glob("*.csv")))
    token = make_user(services, "owner", shop, Role.OWNER)
    app = create_app(services)
    pages, api, anonymous = TestClient(app), TestClient(app), TestClient(app)
    api.headers["Authorization"] = f"Bearer {token}"
    result = Site(services, shop, pages, api, anonymous)
    result.login(pages, "owner")
    yield result
    services.close()
