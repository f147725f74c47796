"""The web app factory: health, the shops page and its JSON twin."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from saudager.settings import load_settings
from saudager.web.app import create_app
from saudager.wiring import build_services


def test_health_shops_page_and_api(tmp_path: Path) -> None:
    services = build_services(load_settings(None, home=tmp_path))
    services.add_shop("Магазин 1", "secret-token-value", "http://127.0.0.1:9/shop/api/v2", None)
    services.add_shop("files-only", None, None, "Asia/Aqtobe")
    try:
        client = TestClient(create_app(services))
        assert client.get("/health").json()["status"] == "ok"
        shops = client.get("/api/v1/shops").json()["shops"]
        assert [(s["name"], s["has_token"], s["timezone"], s["orders"]) for s in shops] == [
            ("Магазин 1", True, "Asia/Almaty", 0),
            ("files-only", False, "Asia/Aqtobe", 0),
        ]
        page = client.get("/")
        assert page.status_code == 200
        assert "Магазин 1" in page.text and "ещё не было" in page.text
        assert "secret-token-value" not in page.text + client.get("/api/v1/shops").text
        assert "/api/v1/shops" in client.get("/api/v1/openapi.json").json()["paths"]
    finally:
        services.close()
