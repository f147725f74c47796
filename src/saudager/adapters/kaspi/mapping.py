"""Kaspi JSON:API documents → domain types. Raw Kaspi JSON never leaves ``adapters/kaspi``.

Tolerant by design: every optional field may be absent or null, unknown enum values are kept as
they came, and a field in the wrong type is reported with the order's code, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from saudager.adapters.kaspi.errors import KaspiPayloadError
from saudager.core.money import MoneyError, to_tenge
from saudager.core.phones import normalize_kz_phone
from saudager.core.timewindows import from_epoch_ms
from saudager.domains.catalog.types import Product
from saudager.domains.orders.logic import cancelled_by
from saudager.domains.orders.types import (
    Order,
    OrderBatch,
    OrderLine,
    OrderStatus,
    Return,
    ReturnReason,
    Review,
    return_key,
)

Resource = Mapping[str, Any]

_CANCELLED = {OrderStatus.CANCELLED, OrderStatus.CANCELLING}
_RETURNED = {OrderStatus.RETURNED, OrderStatus.RETURN_ACCEPTED_BY_MERCHANT}


def _attrs(resource: Resource, what: str) -> Mapping[str, Any]:
    attributes = resource.get("attributes")
    if not isinstance(attributes, Mapping):
        raise KaspiPayloadError(f"{what} {resource.get('id')!r} has no attributes object")
    return attributes


def _instant(attrs: Mapping[str, Any], name: str, where: str) -> datetime | None:
    value = attrs.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise KaspiPayloadError(f"{where}: {name} should be epoch milliseconds, got {value!r}")
    return from_epoch_ms(value)


def _money(attrs: Mapping[str, Any], name: str, where: str) -> Decimal | None:
    value = attrs.get(name)
    if value is None:
        return None
    try:
        return to_tenge(value)
    except MoneyError as exc:
        raise KaspiPayloadError(f"{where}: {name} should be an amount, got {value!r}") from exc


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _related_ids(resource: Resource, relation: str) -> list[str]:
    relationships = resource.get("relationships") or {}
    data = (relationships.get(relation) or {}).get("data")
    if isinstance(data, list):
        return [str(item["id"]) for item in data if isinstance(item, Mapping) and "id" in item]
    if isinstance(data, Mapping) and "id" in data:
        return [str(data["id"])]
    return []


def map_entry(entry: Resource) -> OrderLine:
    attrs = _attrs(entry, "order entry")
    where = f"order entry {entry.get('id')!r}"
    offer = attrs.get("offer") or {}
    category = attrs.get("category") or {}
    quantity_raw = attrs.get("quantity", 1)
    if isinstance(quantity_raw, bool) or not isinstance(quantity_raw, int | float):
        raise KaspiPayloadError(f"{where}: quantity should be a number, got {quantity_raw!r}")
    quantity = max(1, int(quantity_raw))
    base_price = _money(attrs, "basePrice", where)
    total = _money(attrs, "totalPrice", where)
    if total is None and base_price is None:
        raise KaspiPayloadError(f"{where}: neither totalPrice nor basePrice is given")
    unit_price = base_price if base_price is not None else (total or Decimal(0)) / quantity
    sku = _text(offer.get("code"))
    if sku is None:
        raise KaspiPayloadError(f"{where}: offer.code (the seller's SKU) is missing")
    entry_number = attrs.get("entryNumber")
    return OrderLine(
        line_no=int(entry_number) if isinstance(entry_number, int) else 0,
        sku=sku,
        quantity=quantity,
        unit_price=to_tenge(unit_price),
        total_price=total if total is not None else to_tenge(unit_price * quantity),
        product_name=_text(offer.get("name")),
        category=_text(category.get("title")) or _text(category.get("code")),
        kaspi_product_code=None,
        kaspi_entry_id=_text(entry.get("id")),
    )


def _number_lines(lines: list[OrderLine]) -> tuple[OrderLine, ...]:
    """Keep Kaspi's entryNumber where given; otherwise number lines in document order."""
    if all(line.line_no > 0 for line in lines) and len({line.line_no for line in lines}) == len(
        lines
    ):
        return tuple(sorted(lines, key=lambda line: line.line_no))
    return tuple(
        OrderLine(**{**_line_fields(line), "line_no": position})
        for position, line in enumerate(lines, start=1)
    )


def _line_fields(line: OrderLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in OrderLine.__slots__}


def map_order(resource: Resource, entries_by_id: Mapping[str, Resource] | None = None) -> Order:
    """One ``orders`` resource, with its lines when the entries were included."""
    attrs = _attrs(resource, "order")
    code = _text(attrs.get("code"))
    if code is None:
        raise KaspiPayloadError(f"order {resource.get('id')!r} has no code")
    where = f"order {code}"
    created_at = _instant(attrs, "creationDate", where)
    if created_at is None:
        raise KaspiPayloadError(f"{where}: creationDate is missing")
    total = _money(attrs, "totalPrice", where)
    status = _text(attrs.get("status")) or "UNKNOWN"
    state = _text(attrs.get("state")) or "UNKNOWN"
    delivery = attrs.get("kaspiDelivery")
    delivery = delivery if isinstance(delivery, Mapping) else {}
    # Older documents repeat the courier fields at the top level; the nested object wins.
    deadline = _instant(delivery, "courierTransmissionPlanningDate", where) or _instant(
        attrs, "courierTransmissionPlanningDate", where
    )
    handed_over = _instant(delivery, "courierTransmissionDate", where) or _instant(
        attrs, "courierTransmissionDate", where
    )
    status_changed = _instant(attrs, "statusChangeDate", where)
    completed_at = _instant(attrs, "completionDate", where)
    if completed_at is None and status == OrderStatus.COMPLETED:
        completed_at = status_changed
    reason = _text(attrs.get("cancellationReason")) if status in _CANCELLED else None
    customer = attrs.get("customer") if isinstance(attrs.get("customer"), Mapping) else {}
    assert isinstance(customer, Mapping)
    name = _text(customer.get("name")) or " ".join(
        part for part in (_text(customer.get("firstName")), _text(customer.get("lastName"))) if part
    )
    city = _city(attrs)
    lines: tuple[OrderLine, ...] = ()
    if entries_by_id is not None:
        entry_ids = _related_ids(resource, "entries")
        found = [map_entry(entries_by_id[i]) for i in entry_ids if i in entries_by_id]
        lines = _number_lines(found)
    return Order(
        code=code,
        created_at=created_at,
        state=state,
        status=status,
        total_price=total if total is not None else Decimal("0.00"),
        kaspi_id=_text(resource.get("id")),
        delivery_mode=_text(attrs.get("deliveryMode")),
        is_kaspi_delivery=bool(attrs.get("isKaspiDelivery")) or bool(delivery),
        handover_deadline=deadline,
        handed_over_at=handed_over,
        planned_delivery_at=_instant(attrs, "plannedDeliveryDate", where),
        completed_at=completed_at,
        cancelled_at=status_changed if status in _CANCELLED else None,
        cancellation_reason=reason,
        cancelled_by=cancelled_by(reason),
        delivery_cost_for_seller=_money(attrs, "deliveryCostForSeller", where),
        payment_mode=_text(attrs.get("paymentMode")),
        city=city,
        customer_id=_text(customer.get("id")),
        customer_name=name or None,
        customer_phone=normalize_kz_phone(_text(customer.get("cellPhone"))),
        lines=lines,
    )


def _city(attrs: Mapping[str, Any]) -> str | None:
    address = attrs.get("deliveryAddress")
    if isinstance(address, Mapping) and _text(address.get("town")):
        return _text(address.get("town"))
    origin = attrs.get("originAddress")
    if isinstance(origin, Mapping):
        city = origin.get("city")
        if isinstance(city, Mapping):
            return _text(city.get("name"))
    return None


def returns_of(order: Order, returned_at: datetime | None) -> list[Return]:
    """A RETURNED order as returns of its lines; the API does not say why, so ``unknown``."""
    if order.status not in _RETURNED or not order.lines:
        return []
    moment = returned_at or order.completed_at or order.created_at
    merged: dict[str, int] = {}
    for line in order.lines:
        merged[line.sku] = merged.get(line.sku, 0) + line.quantity
    return [
        Return(
            key=return_key(order.code, sku),
            order_code=order.code,
            sku=sku,
            quantity=quantity,
            reason=ReturnReason.UNKNOWN,
            created_at=moment,
        )
        for sku, quantity in merged.items()
    ]


def map_order_batch(
    resources: list[Resource], entries_by_id: Mapping[str, Resource] | None, total_count: int
) -> OrderBatch:
    """A page of orders, and the returns their RETURNED statuses reveal."""
    orders: list[Order] = []
    returns: list[Return] = []
    for resource in resources:
        order = map_order(resource, entries_by_id)
        orders.append(order)
        attrs = _attrs(resource, "order")
        returns.extend(
            returns_of(order, _instant(attrs, "statusChangeDate", f"order {order.code}"))
        )
    return OrderBatch(orders=orders, returns=returns, total_count=total_count)


def map_master_product(resource: Resource, line: OrderLine) -> Product:
    """The card behind a line: Kaspi's card code joined to the seller's SKU."""
    attrs = _attrs(resource, "master product")
    category = attrs.get("category")
    category_name = (
        _text(category.get("title")) or _text(category.get("code"))
        if isinstance(category, Mapping)
        else _text(category)
    )
    return Product(
        sku=line.sku,
        name=_text(attrs.get("name")) or line.product_name or line.sku,
        category=category_name or line.category,
        brand=_text(attrs.get("manufacturer")) or _text(attrs.get("brand")),
        kaspi_product_code=_text(attrs.get("code")),
    )


def map_review(resource: Resource) -> Review:
    attrs = _attrs(resource, "review")
    key = _text(resource.get("id"))
    where = f"review {key!r}"
    if key is None:
        raise KaspiPayloadError("a review has no id")
    rating = attrs.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int | float) or not 1 <= rating <= 5:
        raise KaspiPayloadError(f"{where}: rating should be 1 to 5, got {rating!r}")
    approved = _instant(attrs, "approvedDate", where)
    created = _instant(attrs, "createdDate", where) or approved
    if created is None:
        raise KaspiPayloadError(f"{where}: neither createdDate nor approvedDate is given")
    comment = attrs.get("comment")
    if isinstance(comment, Mapping):
        comment = " ".join(str(v) for v in comment.values() if v)
    return Review(
        key=key,
        rating=int(rating),
        created_at=created,
        text=_text(comment),
        approved_at=approved,
        order_code=_text(attrs.get("orderCode")),
        author=_text(attrs.get("userName")),
    )
