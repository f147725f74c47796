"""GET endpoints of the simulated Kaspi API, over real HTTP."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import pytest
from kaspi_sim_helpers import (
    DAY_MS,
    HEADERS,
    STATES,
    TOKEN,
    all_orders,
    api_client,
    list_params,
    now_ms,
    small_config,
)

from saudager.adapters.kaspi.simulator import RunningSimulator, running_simulator

ORDER_ATTRIBUTES = {
    "code", "totalPrice", "paymentMode", "creationDate", "approvedByBankDate",
    "plannedDeliveryDate", "deliveryCostForSeller", "deliveryCost", "isKaspiDelivery",
    "deliveryMode", "signatureRequired", "preOrder", "pickupPointId", "state", "status",
    "assembled", "customer", "originAddress", "statusChangeDate",
}  # fmt: skip
MASKED = "+0(000)-000-00-00"


def errors_of(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/vnd.api+json")
    return [error["title"] for error in response.json()["errors"]]


# ---- transport rules ----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_without_the_json_api_accept_kaspi_answers_404_html(
    shared_sim: RunningSimulator, accept: str | None
) -> None:
    with httpx.Client(base_url=shared_sim.base_url + "/") as client:
        del client.headers["accept"]
        headers = {"X-Auth-Token": TOKEN} | ({"Accept": accept} if accept else {})
        response = client.get("orders", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("token", [None, "wrong"])
def test_a_missing_or_wrong_token_is_401(shared_sim: RunningSimulator, token: str | None) -> None:
    headers = {"Accept": HEADERS["Accept"]} | ({"X-Auth-Token": token} if token else {})
    response = httpx.get(
        shared_sim.base_url + "/orders", headers=headers, params=list_params("NEW", 0)
    )
    assert response.status_code == 401
    assert errors_of(response)


@pytest.mark.parametrize(
    ("drop", "change", "expected"),
    [
        ("page[number]", {}, "page[number] and page[size] are required"),
        ("page[size]", {}, "page[number] and page[size] are required"),
        (None, {"page[size]": 101}, "page[size] must be between 1 and 100"),
        (None, {"page[size]": 0}, "page[size] must be between 1 and 100"),
        (None, {"page[number]": -1}, "page[number] starts at 0"),
        ("filter[orders][state]", {}, "filter[orders][state] is required"),
        (None, {"filter[orders][state]": "LOST"}, "filter[orders][state] must be one of"),
        ("filter[orders][creationDate][$ge]", {}, "filter[orders][creationDate][$ge] is required"),
        (None, {"filter[orders][creationDate][$ge]": "yesterday"}, "must be a whole number"),
        (None, {"include[orders]": "entries,payments"}, "include[orders] accepts"),
        (None, {"filter[orders][deliveryType]": "PICKUP", "filter[orders][state]": "PICKUP"},
         "cannot repeat the state"),
    ],
)  # fmt: skip
def test_bad_list_requests_are_400_with_a_title(
    api: httpx.Client,
    shared_sim: RunningSimulator,
    drop: str | None,
    change: dict[str, Any],
    expected: str,
) -> None:
    now = now_ms(shared_sim)
    params = list_params("NEW", now - DAY_MS, now) | change
    if drop:
        del params[drop]
    response = api.get("orders", params=params)
    assert response.status_code == 400
    assert any(expected in title for title in errors_of(response)), errors_of(response)


def test_the_window_is_at_most_14_days(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    exactly = api.get("orders", params=list_params("ARCHIVE", now - 14 * DAY_MS, now))
    assert exactly.status_code == 200
    longer = api.get("orders", params=list_params("ARCHIVE", now - 14 * DAY_MS - 1, now))
    assert longer.status_code == 400
    # Without $le the window ends now.
    open_ended = api.get("orders", params=list_params("ARCHIVE", now - 15 * DAY_MS))
    assert open_ended.status_code == 400
    assert "14 days" in errors_of(longer)[0]


def test_unknown_resources_are_json_404(api: httpx.Client) -> None:
    for path in ("orders/bm9wZQ", "orderentries/MTIzIyM5", "masterproducts/MTIz", "nothing/here"):
        response = api.get(path)
        assert response.status_code == 404
        assert errors_of(response)


# ---- lists --------------------------------------------------------------------------------


def test_paging_lists_every_order_exactly_once(
    api: httpx.Client, shared_sim: RunningSimulator
) -> None:
    config = shared_sim.simulation.shop.config
    start = int(config.start.timestamp() * 1000)
    now = now_ms(shared_sim)
    seen: Counter[str] = Counter()
    for state in STATES:
        window_start = start
        while window_start <= now:
            window_end = min(window_start + 14 * DAY_MS, now)
            orders = all_orders(api, state, window_start, window_end)
            for order in orders:
                assert order["attributes"]["state"] == state
                assert window_start <= order["attributes"]["creationDate"] <= window_end
            created = [order["attributes"]["creationDate"] for order in orders]
            assert created == sorted(created)
            seen.update(order["attributes"]["code"] for order in orders)
            window_start = window_end + 1
    state = httpx.get(shared_sim.admin_url + "/state").json()
    assert len(seen) == state["orders"]["visible"] == len(shared_sim.simulation.shop.orders)
    assert set(seen.values()) == {1}


def test_meta_and_odd_page_sizes(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    first = api.get(
        "orders", params=list_params("ARCHIVE", now - 7 * DAY_MS, now) | {"page[size]": 37}
    )
    meta = first.json()["meta"]
    assert meta["pageCount"] == -(-meta["totalCount"] // 37)
    codes = [o["attributes"]["code"] for o in first.json()["data"]]
    for page in range(1, meta["pageCount"] + 1):
        params = list_params("ARCHIVE", now - 7 * DAY_MS, now) | {
            "page[size]": 37,
            "page[number]": page,
        }
        codes += [o["attributes"]["code"] for o in api.get("orders", params=params).json()["data"]]
    assert len(codes) == len(set(codes)) == meta["totalCount"]


def test_an_order_has_the_reference_shape(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    orders = all_orders(api, "KASPI_DELIVERY", now - 5 * DAY_MS, now)
    order = orders[0]
    attributes = order["attributes"]
    assert set(attributes) >= ORDER_ATTRIBUTES
    assert order["type"] == "orders"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", order["id"])
    assert re.fullmatch(r"\d{9}", attributes["code"])
    assert isinstance(attributes["totalPrice"], float)
    assert attributes["totalPrice"].is_integer()
    assert attributes["isKaspiDelivery"] is True
    delivery = attributes["kaspiDelivery"]
    assert set(delivery) == {
        "waybill", "courierTransmissionDate", "courierTransmissionPlanningDate", "waybillNumber",
        "express", "returnedToWarehouse", "firstMileCourier",
    }  # fmt: skip
    assert order["links"]["self"].endswith(f"/shop/api/v2/orders/{order['id']}")
    assert order["relationships"]["entries"]["data"][0]["type"] == "orderentries"
    assert order["relationships"]["user"]["data"]["type"] == "customers"
    # Not yet handed over: no transmission date.
    waiting = [
        o for o in orders if o["attributes"]["kaspiDelivery"]["courierTransmissionDate"] is None
    ]
    assert waiting
    assert all(
        "cancellationReason" not in o["attributes"]
        for o in orders
        if o["attributes"]["status"] == "ACCEPTED_BY_MERCHANT"
    )


def test_own_delivery_orders_have_no_kaspi_delivery(
    api: httpx.Client, shared_sim: RunningSimulator
) -> None:
    config = shared_sim.simulation.shop.config
    start = int(config.start.timestamp() * 1000)
    orders = all_orders(api, "ARCHIVE", start, start + 14 * DAY_MS)
    own = [o for o in orders if not o["attributes"]["isKaspiDelivery"]]
    assert own
    assert all("kaspiDelivery" not in o["attributes"] for o in own)
    cancelled = [o for o in orders if o["attributes"]["status"] == "CANCELLED"]
    assert cancelled
    assert all(o["attributes"]["cancellationReason"] for o in cancelled)
    completed = [o for o in orders if o["attributes"]["status"] == "COMPLETED"]
    assert completed
    assert all("completionDate" in o["attributes"] for o in completed)


def test_status_and_delivery_type_filters(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    start = now - 14 * DAY_MS
    everything = all_orders(api, "ARCHIVE", start, now)
    cancelled = all_orders(api, "ARCHIVE", start, now, **{"filter[orders][status]": "CANCELLED"})
    assert cancelled
    assert {o["attributes"]["code"] for o in cancelled} == {
        o["attributes"]["code"] for o in everything if o["attributes"]["status"] == "CANCELLED"
    }
    pickup = all_orders(api, "ARCHIVE", start, now, **{"filter[orders][deliveryType]": "PICKUP"})
    assert pickup
    assert {o["attributes"]["deliveryMode"] for o in pickup} <= {
        "DELIVERY_PICKUP",
        "DELIVERY_REGIONAL_PICKUP",
    }


def test_included_entries_and_customers(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    params = list_params("ARCHIVE", now - 3 * DAY_MS, now, **{"include[orders]": "entries,user"})
    document = api.get("orders", params=params).json()
    included = {(item["type"], item["id"]): item for item in document["included"]}
    for order in document["data"]:
        for ref in order["relationships"]["entries"]["data"]:
            entry = included[("orderentries", ref["id"])]
            attributes = entry["attributes"]
            assert attributes["totalPrice"] == attributes["basePrice"] * attributes["quantity"]
            assert attributes["category"]["code"].startswith("Master - ")
        user = order["relationships"]["user"]["data"]
        assert included[("customers", user["id"])]["attributes"]["cellPhone"] == MASKED
    entries_only = api.get(
        "orders",
        params=list_params("ARCHIVE", now - 3 * DAY_MS, now, **{"include[orders]": "entries"}),
    )
    assert {item["type"] for item in entries_only.json()["included"]} == {"orderentries"}
    plain = api.get("orders", params=list_params("ARCHIVE", now - 3 * DAY_MS, now))
    assert plain.json()["included"] == []


def test_phones_are_masked_on_archived_orders_only(
    api: httpx.Client, shared_sim: RunningSimulator
) -> None:
    now = now_ms(shared_sim)
    for order in all_orders(api, "ARCHIVE", now - 5 * DAY_MS, now):
        assert order["attributes"]["customer"]["cellPhone"] == MASKED
    active = all_orders(api, "KASPI_DELIVERY", now - 5 * DAY_MS, now) + all_orders(
        api, "NEW", now - 5 * DAY_MS, now
    )
    assert active
    for order in active:
        assert re.fullmatch(r"7\d{9}", order["attributes"]["customer"]["cellPhone"])


def test_filter_by_code_ignores_dates(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    oldest = shared_sim.simulation.shop.orders[0]
    params: dict[str, str | int] = {
        "page[number]": 0,
        "page[size]": 1,
        "filter[orders][code]": str(oldest.code),
    }
    document = api.get("orders", params=params).json()
    assert [o["attributes"]["code"] for o in document["data"]] == [str(oldest.code)]
    assert document["meta"] == {"pageCount": 1, "totalCount": 1}
    missing = api.get("orders", params=params | {"filter[orders][code]": "999999999"}).json()
    assert missing["data"] == []
    assert missing["meta"]["totalCount"] == 0


# ---- single resources -----------------------------------------------------------------------


def test_order_entries_products_and_places(api: httpx.Client, shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    order = all_orders(api, "ARCHIVE", now - 2 * DAY_MS, now)[0]
    single = api.get(f"orders/{order['id']}").json()["data"]
    assert single == order
    entries = api.get(f"orders/{order['id']}/entries").json()["data"]
    assert [e["id"] for e in entries] == [
        r["id"] for r in order["relationships"]["entries"]["data"]
    ]
    entry = api.get(f"orderentries/{entries[0]['id']}").json()["data"]
    assert entry == entries[0]
    product = api.get(f"orderentries/{entry['id']}/product").json()["data"]
    assert product["type"] == "masterproducts"
    assert re.fullmatch(r"\d{9}", product["attributes"]["code"])
    assert {"name", "manufacturer", "category"} <= set(product["attributes"])
    merchant = api.get(f"masterproducts/{product['id']}/merchantProduct").json()["data"]
    assert merchant["type"] == "merchantproducts"
    assert merchant["attributes"]["code"] == entry["attributes"]["offer"]["code"]
    pos_id = entry["relationships"]["deliveryPointOfService"]["data"]["id"]
    pos = api.get(f"pointofservices/{pos_id}").json()["data"]
    assert pos["attributes"]["displayName"] == "PP1"
    assert (
        api.get(f"pointofservices/{pos_id}/city").json()["data"]["attributes"]["name"] == "Алматы"
    )
    cities = api.get("cities").json()["data"]
    assert {"750000000", "710000000", "511010000"} <= {c["attributes"]["code"] for c in cities}


def test_orders_created_after_now_do_not_exist_yet(shared_sim: RunningSimulator) -> None:
    shop = shared_sim.simulation.shop
    assert all(o.created_ms <= now_ms(shared_sim) for o in shop.orders)
    with api_client(shared_sim) as client:
        params = list_params("NEW", now_ms(shared_sim) + 1, now_ms(shared_sim) + DAY_MS)
        assert client.get("orders", params=params).json()["data"] == []


def test_same_seed_serves_the_same_json(shared_sim: RunningSimulator) -> None:
    now = now_ms(shared_sim)
    params = list_params("ARCHIVE", now - 10 * DAY_MS, now, **{"include[orders]": "entries,user"})
    with (
        running_simulator(small_config(), TOKEN) as twin,
        api_client(twin) as twin_api,
        api_client(shared_sim) as api,
    ):
        mine = api.get("orders", params=params).text.replace(shared_sim.root_url, "")
        theirs = twin_api.get("orders", params=params).text.replace(twin.root_url, "")
    assert mine == theirs
