"""Merchant reviews and the cabinet's returns list, over real HTTP."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import httpx
from kaspi_sim_helpers import DAY_MS, api_client, now_ms

from saudager.adapters.kaspi.simulator import RunningSimulator


def all_reviews(api: httpx.Client, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 0
    while True:
        params = {"page[number]": page, "page[size]": 100, **filters}
        response = api.get("merchantreviews", params=params)
        assert response.status_code == 200, response.text
        document = response.json()
        found.extend(document["data"])
        page += 1
        if page >= document["meta"]["pageCount"]:
            return found


def test_reviews_appear_once_approved_and_vanish_when_deleted(shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    shop = shared_sim.simulation.shop
    with api_client(shared_sim) as api:
        listed = all_reviews(api)
        expected = [
            r
            for r in shop.reviews
            if r.approved_ms <= now and (r.deleted_ms is None or r.deleted_ms > now)
        ]
        assert [r["id"] for r in listed] == [r.kaspi_id for r in expected]
        deleted = [r for r in shop.reviews if r.deleted_ms is not None and r.deleted_ms <= now]
        pending = [r for r in shop.reviews if r.approved_ms > now]
        assert pending  # reviews still in moderation exist at the end of the period
        listed_ids = {r["id"] for r in listed}
        assert not listed_ids & {r.kaspi_id for r in deleted + pending}

        review = listed[0]
        attributes = review["attributes"]
        assert review["type"] == "merchantreviews"
        assert set(attributes) == {
            "rating", "comment", "userName", "createdDate", "approvedDate", "orderCode",
        }  # fmt: skip
        assert attributes["createdDate"] < attributes["approvedDate"] <= now
        order_ref = review["relationships"]["order"]["data"]
        assert order_ref["type"] == "orders"
        order = api.get(f"orders/{order_ref['id']}").json()["data"]["attributes"]
        assert order["code"] == attributes["orderCode"]
        assert order["status"] in ("COMPLETED", "KASPI_DELIVERY_RETURN_REQUESTED", "RETURNED")
        by_order = api.get(f"merchantreviews/{order_ref['id']}").json()["data"]
        assert by_order["id"] == review["id"]


def test_review_filters(shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    window = {
        "filter[merchantreviews][approvedDate][$ge]": now - 10 * DAY_MS,
        "filter[merchantreviews][approvedDate][$le]": now - 3 * DAY_MS,
    }
    with api_client(shared_sim) as api:
        in_window = all_reviews(api, **window)
        assert in_window
        for review in in_window:
            assert now - 10 * DAY_MS <= review["attributes"]["approvedDate"] <= now - 3 * DAY_MS
        negative = all_reviews(api, **window, **{"filter[merchantreviews][quality]": "NEGATIVE"})
        positive = all_reviews(api, **window, **{"filter[merchantreviews][quality]": "POSITIVE"})
        assert negative
        assert all(r["attributes"]["rating"] <= 3 for r in negative)
        assert all(r["attributes"]["rating"] >= 4 for r in positive)
        assert len(negative) + len(positive) == len(in_window)
        bad = api.get(
            "merchantreviews",
            params={"page[number]": 0, "page[size]": 10, "filter[merchantreviews][quality]": "MEH"},
        )
        assert bad.status_code == 400
        assert api.get("merchantreviews").status_code == 400  # paging is required


def test_a_review_in_moderation_appears_when_the_clock_moves(fresh_sim: RunningSimulator) -> None:
    now = now_ms(fresh_sim)
    pending = next(
        r for r in fresh_sim.simulation.shop.reviews if now < r.approved_ms and r.deleted_ms is None
    )
    with api_client(fresh_sim) as api:
        assert pending.kaspi_id not in {r["id"] for r in all_reviews(api)}
        httpx.post(f"{fresh_sim.admin_url}/clock", json={"now_ms": pending.approved_ms})
        assert pending.kaspi_id in {r["id"] for r in all_reviews(api)}


def test_returns_csv_carries_the_hidden_reason(shared_sim: RunningSimulator) -> None:
    response = httpx.get(f"{shared_sim.admin_url}/returns.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["order_code", "sku", "quantity", "reason", "created_at"]
    assert {row["reason"] for row in rows} == {"quality", "other"}
    with api_client(shared_sim) as api:
        for row in rows[:5]:
            created = datetime.fromisoformat(row["created_at"])
            assert created.utcoffset() == timedelta(hours=5)
            assert int(row["quantity"]) >= 1
            params = {"page[number]": 0, "page[size]": 1, "filter[orders][code]": row["order_code"]}
            order = api.get("orders", params=params).json()["data"][0]["attributes"]
            assert order["status"] in ("KASPI_DELIVERY_RETURN_REQUESTED", "RETURNED")
            entries = api.get(
                f"orders/{api.get('orders', params=params).json()['data'][0]['id']}/entries"
            )
            assert row["sku"] in {e["attributes"]["offer"]["code"] for e in entries.json()["data"]}
