"""The mapping against the sample payloads of Kaspi's guide (shared/reference/kaspi-api.md)."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from saudager.adapters.kaspi.errors import KaspiPayloadError
from saudager.adapters.kaspi.mapping import (
    map_master_product,
    map_order,
    map_order_batch,
    map_review,
)

PAYLOADS = Path(__file__).parent / "payloads"


def _page() -> dict:
    return json.loads((PAYLOADS / "orders_page_reference.json").read_text(encoding="utf-8"))


def _entries(page: dict) -> dict:
    return {item["id"]: item for item in page["included"]}


def test_reference_order_maps_every_field() -> None:
    page = _page()
    order = map_order(page["data"][0], _entries(page))
    assert order.code == "496149022"
    assert order.kaspi_id == "NTN7uzzgwOTk3"
    assert order.created_at == datetime(2025, 4, 26, 18, 12, 42, 415000, tzinfo=UTC)
    assert order.state == "KASPI_DELIVERY" and order.status == "CANCELLING"
    assert order.total_price == Decimal("5990.00")
    assert order.delivery_cost_for_seller == Decimal("895.00")
    assert order.is_kaspi_delivery is True
    assert order.delivery_mode == "DELIVERY_PICKUP"
    assert order.handover_deadline == datetime(2025, 4, 27, 12, 1, 14, tzinfo=UTC)
    assert order.handed_over_at == order.handover_deadline
    assert order.cancellation_reason == "TIMEOUT_BUYER_PICKUP"
    assert order.cancelled_by == "kaspi"
    assert order.payment_mode == "PREPAID"
    assert order.city == "Алматы"
    assert order.customer_phone == "+77021234567"
    assert order.customer_name == "Марат"
    [line] = order.lines
    assert (line.line_no, line.sku, line.quantity) == (1, "259204", 1)
    assert line.unit_price == Decimal("1000.00") and line.total_price == Decimal("1000.00")
    assert line.category == "Линейки"
    assert line.kaspi_entry_id == "NDk0MTQ0MDIxIyMx"


def test_unknown_status_masked_phone_and_absent_optionals_are_tolerated() -> None:
    page = _page()
    order = map_order(page["data"][1], _entries(page))
    assert order.status == "SOMETHING_NEW_FROM_KASPI"
    assert order.customer_phone is None  # masked on archived orders
    assert order.customer_name == "Айгерим С."
    assert order.handover_deadline is None and order.handed_over_at is None
    assert order.kaspi_id == "MTIzNDU2Nzg5"
    assert order.cancellation_reason is None and order.cancelled_by is None
    assert order.lines == ()


def test_returned_order_becomes_unknown_reason_returns_per_sku() -> None:
    page = _page()
    resource = page["data"][0]
    resource["attributes"].update(
        state="ARCHIVE", status="RETURNED", statusChangeDate=1746000000000
    )
    batch = map_order_batch([resource], _entries(page), total_count=1)
    [ret] = batch.returns
    assert (ret.key, ret.sku, ret.quantity, ret.reason) == (
        "496149022/259204",
        "259204",
        1,
        "unknown",
    )
    assert ret.created_at == datetime.fromtimestamp(1746000000, tz=UTC)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"creationDate": "yesterday"}, "creationDate should be epoch milliseconds"),
        ({"creationDate": None}, "creationDate is missing"),
        ({"totalPrice": "lots"}, "totalPrice should be an amount"),
    ],
)
def test_malformed_orders_are_reported_with_their_code(change: dict, message: str) -> None:
    resource = _page()["data"][0]
    resource["attributes"].update(change)
    with pytest.raises(KaspiPayloadError, match=message) as caught:
        map_order(resource)
    assert "496149022" in str(caught.value)


def test_review_and_master_product() -> None:
    review = map_review(
        {
            "type": "merchantreviews",
            "id": "cmV2MQ",
            "attributes": {
                "rating": 4,
                "comment": "Быстро доставили",
                "userName": "Асель",
                "approvedDate": 1745800000000,
                "createdDate": 1745713600000,
                "orderCode": "496149022",
            },
            "relationships": {"order": {"data": {"type": "orders", "id": "NTN7uzzgwOTk3"}}},
        }
    )
    assert (review.key, review.rating, review.order_code) == ("cmV2MQ", 4, "496149022")
    assert review.approved_at is not None and review.created_at < review.approved_at
    with pytest.raises(KaspiPayloadError, match="rating should be 1 to 5"):
        map_review({"id": "x", "attributes": {"rating": 7, "approvedDate": 1}})

    page = _page()
    line = map_order(page["data"][0], _entries(page)).lines[0]
    product = map_master_product(
        {
            "type": "masterproducts",
            "id": "MTA5MzQ5MDI2",
            "attributes": {
                "code": "103403297",
                "name": "Линейка 30 см",
                "manufacturer": "Erich Krause",
                "category": {"code": "Master - Rulers", "title": "Линейки"},
            },
        },
        line,
    )
    assert (product.sku, product.kaspi_product_code, product.brand) == (
        "259204",
        "103403297",
        "Erich Krause",
    )
