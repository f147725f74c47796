"""The messages API: the outbox, statistics and inbox of a shop, and seller opt-outs — phones
masked, other tenants' shops unseen, opt-outs for managers and owners only."""

from __future__ import annotations

from datetime import UTC, datetime

from webshop import Site, api_client

from saudager.domains.accounts.types import Role
from saudager.domains.messaging.provider import InboundMessage
from saudager.domains.messaging.records import MessageKey, NewMessage
from saudager.domains.messaging.service import OutboxService

PHONE = "+77011234567"


def _queue_one(site: Site) -> None:
    OutboxService(site.services.store, lambda: datetime.now(UTC)).enqueue(
        NewMessage(
            key=MessageKey(site.shop.id, "501234567", "message_1"), from_number="console",
            to=PHONE, template="order_received_v1", language="ru", body_parameters=("A",),
            due_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        )
    )  # fmt: skip


def test_outbox_stats_and_inbox_with_masked_phones(site: Site) -> None:
    _queue_one(site)
    base = f"/api/v1/shops/{site.shop.id}/messages"
    outbox = site.api.get(f"{base}/outbox")
    assert outbox.status_code == 200, outbox.text
    [row] = outbox.json()["messages"]
    assert row["to"] == "+7701***4567" and row["state"] == "queued"
    assert PHONE not in outbox.text
    stats = site.api.get(f"{base}/stats", params={"first": "2026-11-01", "last": "2026-11-30"})
    assert stats.status_code == 200, stats.text
    assert stats.json()["templates"] == []  # queued, not sent yet
    assert stats.json()["conversion"]["difference"] is None
    assert site.api.get(f"{base}/inbox").json() == {"messages": []}


def test_opt_out_is_recorded_once_and_cancels_the_queued_message(site: Site) -> None:
    _queue_one(site)
    path = f"/api/v1/shops/{site.shop.id}/messages/optouts"
    first = site.api.post(path, json={"phone": "8 701 123 45 67"})
    assert first.status_code == 200, first.text
    assert first.json()["phone"] == "+7701***4567" and first.json()["source"] == "seller"
    assert first.json()["recorded"] is True and first.json()["cancelled"] == 1
    again = site.api.post(path, json={"phone": PHONE})
    assert again.status_code == 200 and again.json()["recorded"] is False
    assert len(site.services.reporting.opt_outs()) == 1
    assert site.api.post(path, json={"phone": "12345"}).status_code == 422


def test_roles_tenancy_and_csrf(site: Site) -> None:
    viewer = api_client(site, "watcher", site.shop, Role.VIEWER)
    manager = api_client(site, "runner", site.shop, Role.MANAGER)
    path = f"/api/v1/shops/{site.shop.id}/messages/optouts"
    assert viewer.get(f"/api/v1/shops/{site.shop.id}/messages/outbox").status_code == 200
    assert viewer.post(path, json={"phone": PHONE}).status_code == 403
    assert manager.post(path, json={"phone": PHONE}).status_code == 200

    other = site.services.add_shop("someone else's", None, None, None)
    for method, suffix in (
        ("GET", "outbox"), ("GET", "stats"), ("GET", "inbox"), ("POST", "optouts"),
    ):  # fmt: skip
        answer = manager.request(
            method, f"/api/v1/shops/{other.id}/messages/{suffix}", json={"phone": PHONE}
        )
        assert answer.status_code == 404, (method, suffix)

    # The owner's session cookie without the CSRF token is refused; with it, accepted.
    assert site.pages.post(path, json={"phone": "+77017654321"}).status_code == 403
    token = site.csrf(site.pages, "/shops")
    accepted = site.pages.post(
        path, json={"phone": "+77017654321"}, headers={"X-CSRF-Token": token}
    )
    assert accepted.status_code == 200, accepted.text


def test_a_phone_inside_a_buyers_text_is_masked_in_the_inbox(site: Site) -> None:
    _queue_one(site)
    with site.services.store.transaction() as tx:
        (queued,) = tx.outbox_messages(site.shop.id)
        tx.claim_due_messages(datetime(2026, 11, 20, 10, tzinfo=UTC), "t", 1)
        assert tx.mark_message_sent(
            queued.id, "t", "wamid.OUT", datetime(2026, 11, 20, 10, tzinfo=UTC)
        )
    text = "Перезвоните на +7 701 765 43 21, товар сломан"
    stored = site.services.inbox.receive(
        InboundMessage("wamid.IN", PHONE, datetime(2026, 11, 20, 11, tzinfo=UTC), text, "wamid.OUT")
    )
    assert stored is not None and stored.record.shop_id == site.shop.id
    [row] = site.api.get(f"/api/v1/shops/{site.shop.id}/messages/inbox").json()["messages"]
    assert row["category"] == "complaint" and row["from"] == "+7701***4567"
    assert "765 43 21" not in row["text"] and "товар сломан" in row["text"]
