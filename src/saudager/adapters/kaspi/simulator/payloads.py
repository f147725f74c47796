"""JSON:API documents in the shapes of reference §1.3-§1.8.

Money is whole tenge inside the simulator and becomes a JSON float (``5990.0``) only here, as
Kaspi prints it. Instants are epoch milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from saudager.adapters.kaspi.simulator.catalog import Product
from saudager.adapters.kaspi.simulator.customers import Customer
from saudager.adapters.kaspi.simulator.ids import entry_id, opaque_id, order_id
from saudager.adapters.kaspi.simulator.reference_data import CITIES, HOME_CITY, City
from saudager.adapters.kaspi.simulator.reviews import ReviewPlan
from saudager.adapters.kaspi.simulator.shoptime import DAY
from saudager.adapters.kaspi.simulator.timeline import (
    DELIVERY_MODE,
    DOOR_DELIVERIES,
    KASPI_DELIVERIES,
    PICKUP_DELIVERIES,
    OrderPlan,
)
from saudager.adapters.kaspi.simulator.world import OrderView, SimWorld
from saudager.domains.orders.types import OrderState

Resource = dict[str, Any]
# Kaspi masks the buyer's phone once an order is archived [S1].
MASKED_PHONE = "+0(000)-000-00-00"
# The simulated seller's one warehouse, in Almaty.
WAREHOUSE_DISPLAY_NAME = "PP1"
WAREHOUSE_STREET, WAREHOUSE_NUMBER = "улица Толе би", "286/4"
PICKUP_KEPT_FOR = 3 * DAY  # a parcel waits this long at a pick-up point or postomat
IMEI_CATEGORIES = frozenset({"Master - Smartphones"})


def error_document(*titles: str) -> dict[str, Any]:
    return {"errors": [{"title": title} for title in titles]}


def list_document(
    data: list[Resource], included: list[Resource], total: int, page_size: int
) -> dict[str, Any]:
    return {
        "data": data,
        "included": included,
        "meta": {"pageCount": math.ceil(total / page_size), "totalCount": total},
    }


class Renderer:
    """Turns the world's objects into resources whose links point at ``api_root``."""

    def __init__(self, world: SimWorld, api_root: str) -> None:
        self._world = world
        self._root = api_root.rstrip("/")
        shop = world.shop
        self._merchant_id = shop.config.merchant_id
        self._products = shop.catalog.products
        self.point_of_service_id = opaque_id(f"{self._merchant_id}_{WAREHOUSE_DISPLAY_NAME}")
        self._origin_address = self._warehouse_origin()

    # ---- orders ---------------------------------------------------------------------------

    def order_link(self, opaque_order_id: str) -> str:
        return f"{self._root}/orders/{opaque_order_id}"

    def order(self, view: OrderView) -> Resource:
        plan = view.plan
        oid = order_id(plan.code)
        link = self.order_link(oid)
        delivery = plan.delivery
        is_kaspi = delivery in KASPI_DELIVERIES
        attributes: dict[str, Any] = {
            "code": str(plan.code),
            "totalPrice": float(plan.total_price),
            "paymentMode": "PAY_WITH_CREDIT" if plan.credit_term else "PREPAID",
            "creationDate": plan.created_ms,
            "approvedByBankDate": plan.approved_ms,
            "plannedDeliveryDate": plan.planned_delivery_ms,
            "deliveryCostForSeller": float(plan.seller_delivery_cost),
            "deliveryCost": 0.0,
            "isKaspiDelivery": is_kaspi,
            "deliveryMode": DELIVERY_MODE[delivery],
            "signatureRequired": False,
            "preOrder": False,
            "pickupPointId": f"{self._merchant_id}_{WAREHOUSE_DISPLAY_NAME}",
            "state": view.state,
            "status": view.status,
            "assembled": view.assembled,
            "customer": self._order_customer(
                plan.customer, masked=view.state == OrderState.ARCHIVE
            ),
            "originAddress": self._origin_address,
            "statusChangeDate": view.status_changed_ms,
        }
        if plan.credit_term:
            attributes["creditTerm"] = plan.credit_term
        if delivery in PICKUP_DELIVERIES:
            attributes["reservationDate"] = plan.planned_delivery_ms + PICKUP_KEPT_FOR
        if view.cancellation_reason is not None:
            attributes["cancellationReason"] = view.cancellation_reason
        if delivery in DOOR_DELIVERIES:
            attributes["deliveryAddress"] = _address(plan.customer)
        if is_kaspi:
            attributes["kaspiDelivery"] = self._kaspi_delivery(view)
        if view.completed_ms is not None:
            attributes["completionDate"] = view.completed_ms
        return {
            "type": "orders",
            "id": oid,
            "attributes": attributes,
            "relationships": {
                "entries": {
                    "links": {
                        "self": f"{link}/relationships/entries",
                        "related": f"{link}/entries",
                    },
                    "data": [
                        {"type": "orderentries", "id": entry_id(plan.code, position)}
                        for position in range(len(plan.lines))
                    ],
                },
                "user": {
                    "links": {"self": f"{link}/relationships/user", "related": f"{link}/user"},
                    "data": {"type": "customers", "id": plan.customer.kaspi_id},
                },
            },
            "links": {"self": link},
        }

    def _kaspi_delivery(self, view: OrderView) -> dict[str, Any]:
        number = view.waybill_number
        waybill = f"{self._root.removesuffix('/v2')}/waybill/{number}" if number else None
        return {
            "waybill": waybill,
            "courierTransmissionDate": view.handover_ms,
            "courierTransmissionPlanningDate": view.plan.handover_deadline_ms,
            "waybillNumber": number,
            "express": False,
            "returnedToWarehouse": view.returned_to_warehouse,
            "firstMileCourier": None,
        }

    @staticmethod
    def _order_customer(customer: Customer, *, masked: bool) -> dict[str, Any]:
        return {
            "id": customer.kaspi_id,
            "name": f"{customer.first_name} {customer.last_name}",
            "cellPhone": MASKED_PHONE if masked else customer.phone,
            "firstName": customer.first_name,
            "lastName": customer.last_name,
        }

    def customer(self, view: OrderView) -> Resource:
        customer = view.plan.customer
        return {
            "type": "customers",
            "id": customer.kaspi_id,
            "attributes": {
                "firstName": customer.first_name,
                "lastName": customer.last_name,
                "cellPhone": MASKED_PHONE if view.state == OrderState.ARCHIVE else customer.phone,
            },
        }

    # ---- entries and products ---------------------------------------------------------------

    def entries(self, plan: OrderPlan) -> list[Resource]:
        return [self.entry(plan, position) for position in range(len(plan.lines))]

    def entry(self, plan: OrderPlan, position: int) -> Resource:
        product_index, quantity, unit_price = plan.lines[position]
        product = self._products[product_index]
        eid = entry_id(plan.code, position)
        link = f"{self._root}/orderentries/{eid}"
        return {
            "type": "orderentries",
            "id": eid,
            "attributes": {
                "unitType": "PIECES",
                "offer": {"code": product.offer_code, "name": product.name},
                "quantity": quantity,
                "totalPrice": float(quantity * unit_price),
                "basePrice": float(unit_price),
                "deliveryCost": 0.0,
                "weight": 0.0,  # Kaspi fills it for goods sold by weight only
                "entryNumber": position + 1,
                "category": {"code": product.category.code, "title": product.category.title},
                "isImeiRequired": product.category.code in IMEI_CATEGORIES,
            },
            "relationships": {
                "product": {
                    "links": {"related": f"{link}/product"},
                    "data": {"type": "masterproducts", "id": opaque_id(product.kaspi_code)},
                },
                "deliveryPointOfService": {
                    "links": {"related": f"{link}/deliveryPointOfService"},
                    "data": {"type": "pointofservices", "id": self.point_of_service_id},
                },
            },
            "links": {"self": link},
        }

    def master_product(self, product: Product) -> Resource:
        pid = opaque_id(product.kaspi_code)
        link = f"{self._root}/masterproducts/{pid}"
        return {
            "type": "masterproducts",
            "id": pid,
            "attributes": {
                "code": product.kaspi_code,
                "name": product.name,
                "manufacturer": product.brand,
                "category": product.category.code,
            },
            "relationships": {"merchantProduct": {"links": {"related": f"{link}/merchantProduct"}}},
            "links": {"self": link},
        }

    def merchant_product(self, product: Product) -> Resource:
        pid = opaque_id(product.offer_code)
        return {
            "type": "merchantproducts",
            "id": pid,
            "attributes": {"code": product.offer_code, "name": product.name},
            "links": {"self": f"{self._root}/merchantproducts/{pid}"},
        }

    # ---- places -----------------------------------------------------------------------------

    def city(self, city: City) -> Resource:
        cid = opaque_id(city.code)
        return {
            "type": "cities",
            "id": cid,
            "attributes": {"code": city.code, "name": city.name, "active": True},
            "links": {"self": f"{self._root}/cities/{cid}"},
        }

    def point_of_service(self) -> Resource:
        link = f"{self._root}/pointofservices/{self.point_of_service_id}"
        home = CITIES[HOME_CITY]
        return {
            "type": "pointofservices",
            "id": self.point_of_service_id,
            "attributes": {
                "address": _warehouse_address(),
                "displayName": WAREHOUSE_DISPLAY_NAME,
            },
            "relationships": {
                "city": {
                    "links": {"related": f"{link}/city"},
                    "data": {"type": "cities", "id": opaque_id(home.code)},
                }
            },
            "links": {"self": link},
        }

    def _warehouse_origin(self) -> dict[str, Any]:
        home = CITIES[HOME_CITY]
        return {
            "id": self.point_of_service_id,
            "displayName": WAREHOUSE_DISPLAY_NAME,
            "address": _warehouse_address(),
            "city": {
                "id": opaque_id(home.code),
                "code": home.code,
                "name": home.name,
                "active": True,
            },
        }

    # ---- reviews ----------------------------------------------------------------------------

    def review(self, review: ReviewPlan) -> Resource:
        code = self._world.shop.orders[review.order_index].code
        return {
            "type": "merchantreviews",
            "id": review.kaspi_id,
            "attributes": {
                "rating": review.rating,
                "comment": review.comment,
                "userName": review.user_name,
                "createdDate": review.created_ms,
                "approvedDate": review.approved_ms,
                "orderCode": str(code),
            },
            "relationships": {"order": {"data": {"type": "orders", "id": order_id(code)}}},
            "links": {"self": f"{self._root}/merchantreviews/{review.kaspi_id}"},
        }

    # ---- whole documents --------------------------------------------------------------------

    def orders_document(
        self,
        views: Sequence[OrderView],
        *,
        include_entries: bool,
        include_user: bool,
        total: int,
        page_size: int,
    ) -> dict[str, Any]:
        return list_document(
            [self.order(view) for view in views],
            self.included(views, include_entries=include_entries, include_user=include_user),
            total,
            page_size,
        )

    def included(
        self, views: Iterable[OrderView], *, include_entries: bool, include_user: bool
    ) -> list[Resource]:
        included: list[Resource] = []
        customers_seen: set[str] = set()
        for view in views:
            if include_entries:
                included.extend(self.entries(view.plan))
            customer_id = view.plan.customer.kaspi_id
            if include_user and customer_id not in customers_seen:
                customers_seen.add(customer_id)
                included.append(self.customer(view))
        return included


def _address(customer: Customer) -> dict[str, Any]:
    city = CITIES[customer.city]
    # A stable spread of a few kilometres around the city centre.
    north = ((customer.index * 7_919) % 1_000 - 500) / 10_000
    east = ((customer.index * 104_729) % 1_000 - 500) / 10_000
    formatted = f"{city.name}, {customer.street}, {customer.house}"
    if customer.apartment:
        formatted += f", кв. {customer.apartment}"
    return {
        "streetName": customer.street,
        "streetNumber": customer.house,
        "town": city.name,
        "district": None,
        "building": None,
        "apartment": customer.apartment,
        "formattedAddress": formatted,
        "latitude": round(city.latitude + north, 6),
        "longitude": round(city.longitude + east, 6),
    }


def _warehouse_address() -> dict[str, Any]:
    home = CITIES[HOME_CITY]
    return {
        "streetName": WAREHOUSE_STREET,
        "streetNumber": WAREHOUSE_NUMBER,
        "town": home.name,
        "district": None,
        "building": None,
        "apartment": None,
        "formattedAddress": f"{home.name}, {WAREHOUSE_STREET}, {WAREHOUSE_NUMBER}",
        "latitude": home.latitude,
        "longitude": home.longitude,
    }
