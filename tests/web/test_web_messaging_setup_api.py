"""The messaging setup API: a shop's window and language, its own wordings (refused with every
problem, nothing stored), previews with a real order, the kill switch; managers change, viewers
read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from webshop import Site, api_client

from saudager.domains.accounts.types import Role
from saudager.domains.orders.types import Order, OrderLine

OWN = "Сәлем, {first_name}! {shop}: № {order_code} тапсырыс қабылданды."


def _an_order(site: Site, code: str) -> None:
    with site.services.store.transaction() as tx:
        tx.upsert_orders(
            site.shop.id,
            [
                Order(
                    code=code, created_at=datetime.now(UTC) + timedelta(days=1), state="NEW",
                    status="APPROVED_BY_BANK", total_price=Decimal("5000"),
                    customer_name="Айгерим", customer_phone="+77011234567",
                    lines=(OrderLine(line_no=1, sku="MUG", quantity=1,
                                     unit_price=Decimal("5000"), total_price=Decimal("5000"),
                                     product_name="Кружка"),),
                )
            ],
        )  # fmt: skip


def test_window_language_and_kill_switch(site: Site) -> None:
    base = f"/api/v1/shops/{site.shop.id}/messages"
    shown = site.api.get(f"{base}/setup").json()
    assert shown["window_start"] == "10:00" and shown["window_is_default"] is True
    changed = site.api.put(
        f"{base}/setup", json={"window_start": "20:00", "window_end": "02:00", "language": "kk"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["window_end"] == "02:00" and changed.json()["language"] == "kk"
    bad = site.api.put(f"{base}/setup", json={"window_start": "09:00", "window_end": "09:30"})
    assert bad.status_code == 422 and "30 minutes" in bad.json()["detail"][0]
    half = site.api.put(f"{base}/setup", json={"window_start": "09:00"})
    assert half.status_code == 422
    assert site.api.get(f"{base}/setup").json()["window_start"] == "20:00"  # unchanged
    back = site.api.put(f"{base}/setup", json={"default_window": True})
    assert back.json()["window_is_default"] is True and back.json()["language"] == "kk"
    paused = site.api.post(f"{base}/pause", json={"reason": "holiday"})
    assert paused.json()["paused"] is True and paused.json()["pause_reason"] == "holiday"
    assert site.api.post(f"{base}/pause", json={}).json()["changed"] is False
    assert site.api.post(f"{base}/resume").json()["paused"] is False


def test_own_wordings_and_previews(site: Site) -> None:
    base = f"/api/v1/shops/{site.shop.id}/messages"
    _an_order(site, "777000111")
    saved = site.api.put(f"{base}/templates/order_received/kk", json={"body": OWN})
    assert saved.status_code == 200, saved.text
    assert saved.json()["own"] is True
    refused = site.api.put(
        f"{base}/templates/review_request/ru", json={"body": "Заказ {order_code}, {shop}: {nme}"}
    )
    assert refused.status_code == 422
    problems = refused.json()["detail"]
    assert any("unknown placeholder {nme}" in p for p in problems)
    assert any("{review_link}" in p for p in problems)
    listed = site.api.get(f"{base}/templates").json()["templates"]
    assert [(t["kind"], t["language"]) for t in listed if t["own"]] == [("order_received", "kk")]
    preview = site.api.post(
        f"{base}/preview", json={"kind": "order_received", "language": "kk", "order": "777000111"}
    )
    assert preview.status_code == 200, preview.text
    assert (
        preview.json()["text"]
        == f"Сәлем, Айгерим! {site.shop.name}: № 777000111 тапсырыс қабылданды."
    )
    typed = site.api.post(
        f"{base}/preview",
        json={"kind": "order_received", "language": "ru", "body": "{shop} {order_code}"},
    )
    assert typed.status_code == 422 and "start or end" in typed.text
    missing = site.api.post(
        f"{base}/preview", json={"kind": "order_received", "language": "ru", "order": "404404"}
    )
    assert missing.status_code == 404
    assert site.api.delete(f"{base}/templates/order_received/kk").json() == {"reset": True}
    assert not any(t["own"] for t in site.api.get(f"{base}/templates").json()["templates"])


def test_viewers_read_and_managers_change(site: Site) -> None:
    base = f"/api/v1/shops/{site.shop.id}/messages"
    viewer = api_client(site, "watcher", site.shop, Role.VIEWER)
    manager = api_client(site, "runner", site.shop, Role.MANAGER)
    assert viewer.get(f"{base}/setup").status_code == 200
    assert viewer.get(f"{base}/templates").status_code == 200
    for method, path, body in (
        ("PUT", "setup", {"language": "en"}),
        ("POST", "pause", {}),
        ("POST", "resume", None),
        ("PUT", "templates/order_received/kk", {"body": OWN}),
        ("DELETE", "templates/order_received/kk", None),
    ):
        assert viewer.request(method, f"{base}/{path}", json=body).status_code == 403, path
        assert manager.request(method, f"{base}/{path}", json=body).status_code == 200, path
