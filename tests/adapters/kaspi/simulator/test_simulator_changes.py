"""POST /orders transitions and the simulated clock, over real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from kaspi_sim_helpers import DAY_MS, all_orders, api_client, now_ms

from saudager.adapters.kaspi.simulator import RunningSimulator

BAD_CODE = "Security code is not valid. And the order cannot be completed without it"


@pytest.fixture
def api(fresh_sim: RunningSimulator) -> httpx.Client:
    return api_client(fresh_sim)


def new_orders(api: httpx.Client, sim: RunningSimulator) -> list[dict[str, Any]]:
    now = now_ms(sim)
    orders = all_orders(api, "NEW", now - 3 * DAY_MS, now)
    assert orders, "the simulated night should leave orders waiting for acceptance"
    return orders


def change(
    api: httpx.Client, order: dict[str, Any], status: str, headers: dict[str, str] | None = None,
    **attributes: Any,
) -> httpx.Response:  # fmt: skip
    body = {
        "data": {
            "type": "orders",
            "id": order["id"],
            "attributes": {"code": order["attributes"]["code"], "status": status, **attributes},
        }
    }
    return api.post("orders", json=body, headers=headers or {})


def fetch(api: httpx.Client, order: dict[str, Any]) -> dict[str, Any]:
    response = api.get(f"orders/{order['id']}")
    assert response.status_code == 200
    attributes: dict[str, Any] = response.json()["data"]["attributes"]
    return attributes


def titles(response: httpx.Response) -> list[str]:
    return [error["title"] for error in response.json()["errors"]]


def test_accept_then_complete_with_the_security_code(
    api: httpx.Client, fresh_sim: RunningSimulator
) -> None:
    order = new_orders(api, fresh_sim)[0]
    assert fetch(api, order)["status"] == "APPROVED_BY_BANK"
    early = change(api, order, "COMPLETED", {"X-Send-Code": "true", "X-Security-Code": ""})
    assert early.status_code == 400
    assert titles(early) == ["Order is not may complete allowed"]

    accepted = change(api, order, "ACCEPTED_BY_MERCHANT")
    assert accepted.status_code == 200
    echo = accepted.json()["data"]
    assert echo["id"] == order["id"]
    assert echo["attributes"] == {
        "code": order["attributes"]["code"],
        "status": "ACCEPTED_BY_MERCHANT",
    }
    after = fetch(api, order)
    assert after["status"] == "ACCEPTED_BY_MERCHANT"
    assert after["state"] in ("KASPI_DELIVERY", "PICKUP", "DELIVERY")
    assert after["statusChangeDate"] == now_ms(fresh_sim)
    again = change(api, order, "ACCEPTED_BY_MERCHANT")
    assert again.status_code == 400
    assert "can't be changed from ACCEPTED_BY_MERCHANT" in titles(again)[0]

    without_code = change(api, order, "COMPLETED")
    assert without_code.status_code == 400
    assert titles(without_code) == [BAD_CODE]
    sent = change(api, order, "COMPLETED", {"X-Send-Code": "true", "X-Security-Code": ""})
    assert sent.status_code == 200
    assert fetch(api, order)["status"] == "ACCEPTED_BY_MERCHANT"  # nothing changes yet
    code_doc = httpx.get(f"{fresh_sim.admin_url}/security-codes/{order['attributes']['code']}")
    security_code = code_doc.json()["securityCode"]
    wrong = str((int(security_code) + 1) % 10_000).zfill(4)
    rejected = change(api, order, "COMPLETED", {"X-Security-Code": wrong})
    assert rejected.status_code == 400
    assert titles(rejected) == [BAD_CODE]
    completed = change(api, order, "COMPLETED", {"X-Security-Code": security_code})
    assert completed.status_code == 200
    final = fetch(api, order)
    assert (final["state"], final["status"]) == ("ARCHIVE", "COMPLETED")
    assert final["completionDate"] == now_ms(fresh_sim)
    assert final["customer"]["cellPhone"] == "+0(000)-000-00-00"
    twice = change(api, order, "COMPLETED", {"X-Security-Code": security_code})
    assert titles(twice) == ["Order already has been completed, so it can't be completed again."]


def test_cancel_needs_a_seller_reason(api: httpx.Client, fresh_sim: RunningSimulator) -> None:
    order = new_orders(api, fresh_sim)[0]
    no_reason = change(api, order, "CANCELLED")
    assert no_reason.status_code == 400
    assert "cancellationReason is required" in titles(no_reason)[0]
    not_sellers = change(api, order, "CANCELLED", cancellationReason="TIMEOUT_BUYER_PICKUP")
    assert not_sellers.status_code == 400
    too_long = change(
        api,
        order,
        "CANCELLED",
        cancellationReason="BUYER_NOT_REACHABLE",
        cancellationComment="x" * 1001,
    )
    assert too_long.status_code == 400
    cancelled = change(api, order, "CANCELLED", cancellationReason="MERCHANT_OUT_OF_STOCK")
    assert cancelled.status_code == 200
    assert cancelled.json()["data"]["attributes"]["cancellationReason"] == "MERCHANT_OUT_OF_STOCK"
    after = fetch(api, order)
    assert (after["state"], after["status"]) == ("ARCHIVE", "CANCELLED")
    assert after["cancellationReason"] == "MERCHANT_OUT_OF_STOCK"
    completing = change(api, order, "COMPLETED", {"X-Send-Code": "true"})
    assert titles(completing) == ["Order is cancelled, so it can't be completed."]
    accepting = change(api, order, "ACCEPTED_BY_MERCHANT")
    assert accepting.status_code == 400


def test_assemble_generates_a_waybill(api: httpx.Client, fresh_sim: RunningSimulator) -> None:
    kaspi = [o for o in new_orders(api, fresh_sim) if o["attributes"]["isKaspiDelivery"]]
    order = kaspi[0]
    before = change(api, order, "ASSEMBLE", numberOfSpace="2")
    assert before.status_code == 400  # not accepted yet
    assert change(api, order, "ACCEPTED_BY_MERCHANT").status_code == 200
    assert fetch(api, order)["kaspiDelivery"]["waybill"] is None
    assembled = change(api, order, "ASSEMBLE", numberOfSpace="2")
    assert assembled.status_code == 200
    assert assembled.json()["data"]["attributes"]["status"] == "ASSEMBLE"
    assert assembled.json()["data"]["attributes"]["numberOfSpace"] == 2
    after = fetch(api, order)
    assert after["assembled"] is True
    assert after["kaspiDelivery"]["waybillNumber"]
    assert after["kaspiDelivery"]["waybill"].endswith(after["kaspiDelivery"]["waybillNumber"])
    assert after["status"] == "ACCEPTED_BY_MERCHANT"


def test_bad_change_documents(api: httpx.Client, fresh_sim: RunningSimulator) -> None:
    order = new_orders(api, fresh_sim)[0]
    mismatch = api.post(
        "orders",
        json={
            "data": {
                "type": "orders",
                "id": order["id"],
                "attributes": {"code": "1", "status": "ACCEPTED_BY_MERCHANT"},
            }
        },
    )
    assert mismatch.status_code == 400
    assert "does not match" in titles(mismatch)[0]
    assert api.post("orders", content=b"{not json").status_code == 400
    assert api.post("orders", json={"data": {"type": "orders"}}).status_code == 400
    unknown_status = change(api, order, "DELIVERED")
    assert unknown_status.status_code == 400
    assert "Unknown status" in titles(unknown_status)[0]
    not_preorder = change(api, order, "ARRIVED")
    assert not_preorder.status_code == 400
    missing = api.post(
        "orders",
        json={
            "data": {
                "type": "orders",
                "id": "bm9wZQ",
                "attributes": {"status": "ACCEPTED_BY_MERCHANT"},
            }
        },
    )
    assert missing.status_code == 404


def test_advancing_the_clock_moves_orders_along(
    api: httpx.Client, fresh_sim: RunningSimulator
) -> None:
    waiting = new_orders(api, fresh_sim)
    untouched, pinned = waiting[1:], waiting[0]
    assert change(api, pinned, "ACCEPTED_BY_MERCHANT").status_code == 200
    before = now_ms(fresh_sim)
    moved = httpx.post(f"{fresh_sim.admin_url}/clock", json={"advance_seconds": 10 * 86_400})
    assert moved.json()["now_ms"] == before + 10 * DAY_MS
    statuses = [fetch(api, order)["status"] for order in untouched]
    assert "APPROVED_BY_BANK" not in statuses
    assert {"COMPLETED", "CANCELLED"} & set(statuses)
    # An order changed through the API keeps what the API made of it.
    assert fetch(api, pinned)["status"] == "ACCEPTED_BY_MERCHANT"
    back = httpx.post(f"{fresh_sim.admin_url}/clock", json={"now_ms": before})
    assert back.json()["now_ms"] == before
    assert httpx.post(f"{fresh_sim.admin_url}/clock", json={}).status_code == 400


def test_handover_date_appears_once_handed_over(
    api: httpx.Client, fresh_sim: RunningSimulator
) -> None:
    now = now_ms(fresh_sim)
    waiting = [
        o
        for o in all_orders(api, "KASPI_DELIVERY", now - 3 * DAY_MS, now)
        if o["attributes"]["kaspiDelivery"]["courierTransmissionDate"] is None
    ]
    assert waiting
    httpx.post(f"{fresh_sim.admin_url}/clock", json={"advance_seconds": 4 * 86_400})
    later = [fetch(api, order) for order in waiting]
    handed = [o for o in later if o["kaspiDelivery"]["courierTransmissionDate"] is not None]
    assert handed
    for attributes in handed:
        delivery = attributes["kaspiDelivery"]
        assert delivery["courierTransmissionDate"] > now
        assert delivery["waybill"] is not None
