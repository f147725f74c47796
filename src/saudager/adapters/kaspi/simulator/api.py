"""The Kaspi Shop API v2 routes (``/shop/api/v2/...``) of the simulator.

Every route first checks the ``Accept`` header (without ``application/vnd.api+json`` Kaspi
answered 404 with an HTML page [S1]) and then ``X-Auth-Token`` (401 otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from saudager.adapters.kaspi.simulator.catalog import Product
from saudager.adapters.kaspi.simulator.commands import CommandRejected, StatusChange
from saudager.adapters.kaspi.simulator.faults import KASPI_PREFIX
from saudager.adapters.kaspi.simulator.ids import decode_id
from saudager.adapters.kaspi.simulator.payloads import Renderer, error_document, list_document
from saudager.adapters.kaspi.simulator.queries import (
    BadRequest,
    read_includes,
    read_orders_query,
    read_reviews_query,
)
from saudager.adapters.kaspi.simulator.reference_data import CITIES, HOME_CITY
from saudager.adapters.kaspi.simulator.simulation import Simulation

JSON_API = "application/vnd.api+json"
NOT_FOUND_PAGE = (
    '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Kaspi.kz — 404</title>'
    "</head><body><h1>Страница не найдена</h1></body></html>"
)

Handler = Callable[[Request], Awaitable[Response]]


class NotFound(Exception):
    """A 404 with a JSON:API error body."""


# Our documents are trees built per request: skipping the circular-reference check is safe
# and saves about a tenth of the encoding time of a 100-order page.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def json_response(document: dict[str, Any], status_code: int = 200) -> Response:
    body = _ENCODER.encode(document).encode()
    return Response(body, status_code=status_code, media_type=JSON_API)


def html_not_found() -> Response:
    return HTMLResponse(NOT_FOUND_PAGE, status_code=404)


class KaspiApi:
    def __init__(self, sim: Simulation) -> None:
        self._sim = sim
        self._world = sim.world

    def routes(self) -> list[BaseRoute]:
        def route(path: str, handler: Handler, method: str = "GET") -> Route:
            return Route(f"{KASPI_PREFIX}{path}", self._guarded(handler), methods=[method])

        return [
            route("/orders", self.list_orders),
            route("/orders", self.change_order, "POST"),
            route("/orders/{order_id}", self.get_order),
            route("/orders/{order_id}/entries", self.order_entries),
            route("/orderentries/{entry_id}", self.get_entry),
            route("/orderentries/{entry_id}/product", self.entry_product),
            route("/orderentries/{entry_id}/deliveryPointOfService", self.entry_point_of_service),
            route("/masterproducts/{product_id}", self.get_master_product),
            route("/masterproducts/{product_id}/merchantProduct", self.merchant_product),
            route("/cities", self.list_cities),
            route("/pointofservices/{pos_id}", self.get_point_of_service),
            route("/pointofservices/{pos_id}/city", self.point_of_service_city),
            route("/merchantreviews", self.list_reviews),
            route("/merchantreviews/{review_id}", self.get_review),
            Route(f"{KASPI_PREFIX}/{{rest:path}}", self._guarded(self.unknown_path),
                  methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        ]  # fmt: skip

    def _guarded(self, handler: Handler) -> Handler:
        token = self._sim.token

        async def endpoint(request: Request) -> Response:
            accept = request.headers.get("accept", "")
            if JSON_API not in accept:
                return html_not_found()
            if request.headers.get("x-auth-token") != token:
                return json_response(error_document("Invalid or missing X-Auth-Token"), 401)
            try:
                return await handler(request)
            except BadRequest as exc:
                return json_response(error_document(exc.title), 400)
            except CommandRejected as exc:
                return json_response(error_document(exc.title), exc.http_status)
            except NotFound as exc:
                return json_response(error_document(str(exc)), 404)

        return endpoint

    def _renderer(self, request: Request) -> Renderer:
        return self._sim.renderer(f"{str(request.base_url).rstrip('/')}{KASPI_PREFIX}")

    # ---- orders -----------------------------------------------------------------------------

    async def list_orders(self, request: Request) -> Response:
        world = self._world
        query = read_orders_query(request.query_params, world.now_ms)
        if query.code is not None:
            index = world.visible_index(query.code)
            indices = [] if index is None else [index]
        else:
            indices = world.find_orders(
                query.state, query.created_from_ms, query.created_to_ms,
                query.status, query.delivery_type,
            )  # fmt: skip
        page = query.page
        views = [world.view(i) for i in indices[page.start : page.start + page.size]]
        document = self._renderer(request).orders_document(
            views,
            include_entries=query.includes.entries,
            include_user=query.includes.user,
            total=len(indices),
            page_size=page.size,
        )
        return json_response(document)

    async def get_order(self, request: Request) -> Response:
        view = self._world.view(self._order_index(request.path_params["order_id"]))
        includes = read_includes(request.query_params)
        renderer = self._renderer(request)
        return json_response(
            {
                "data": renderer.order(view),
                "included": renderer.included(
                    [view], include_entries=includes.entries, include_user=includes.user
                ),
            }
        )

    async def order_entries(self, request: Request) -> Response:
        index = self._order_index(request.path_params["order_id"])
        entries = self._renderer(request).entries(self._sim.shop.orders[index])
        return json_response({"data": entries, "included": []})

    async def change_order(self, request: Request) -> Response:
        change = await _read_status_change(request)
        index = self._order_index(change.order_id)
        self._sim.changer.apply(index, change)
        plan = self._sim.shop.orders[index]
        attributes: dict[str, Any] = {"code": str(plan.code), "status": change.status}
        if change.cancellation_reason is not None:
            attributes["cancellationReason"] = change.cancellation_reason
        if change.status == "ASSEMBLE":
            attributes["numberOfSpace"] = self._world.view(index).number_of_spaces
        link = self._renderer(request).order_link(change.order_id)
        return json_response(
            {
                "data": {
                    "type": "orders",
                    "id": change.order_id,
                    "attributes": attributes,
                    "relationships": {},
                    "links": {"self": link},
                },
                "included": [],
            }
        )

    def _order_index(self, opaque: str) -> int:
        key = decode_id(opaque)
        index = self._world.visible_index(int(key)) if key and key.isdigit() else None
        if index is None:
            raise NotFound(f"Order {opaque} not found")
        return index

    # ---- entries and products ---------------------------------------------------------------

    def _entry(self, opaque: str) -> tuple[int, int]:
        """(order index, 0-based position) behind an entry id."""
        code, _, position = (decode_id(opaque) or "").partition("##")
        if code.isdigit() and position.isdigit():
            index = self._world.visible_index(int(code))
            if index is not None and int(position) < len(self._sim.shop.orders[index].lines):
                return index, int(position)
        raise NotFound(f"Order entry {opaque} not found")

    async def get_entry(self, request: Request) -> Response:
        index, position = self._entry(request.path_params["entry_id"])
        entry = self._renderer(request).entry(self._sim.shop.orders[index], position)
        return json_response({"data": entry, "included": []})

    async def entry_product(self, request: Request) -> Response:
        index, position = self._entry(request.path_params["entry_id"])
        product_index = self._sim.shop.orders[index].lines[position][0]
        product = self._sim.shop.catalog.products[product_index]
        return json_response(
            {"data": self._renderer(request).master_product(product), "included": []}
        )

    async def entry_point_of_service(self, request: Request) -> Response:
        self._entry(request.path_params["entry_id"])
        return json_response({"data": self._renderer(request).point_of_service(), "included": []})

    def _product(self, opaque: str) -> Product:
        product = self._sim.products_by_card_code.get(decode_id(opaque) or "")
        if product is None:
            raise NotFound(f"Product {opaque} not found")
        return product

    async def get_master_product(self, request: Request) -> Response:
        product = self._product(request.path_params["product_id"])
        return json_response(
            {"data": self._renderer(request).master_product(product), "included": []}
        )

    async def merchant_product(self, request: Request) -> Response:
        product = self._product(request.path_params["product_id"])
        return json_response(
            {"data": self._renderer(request).merchant_product(product), "included": []}
        )

    # ---- places -----------------------------------------------------------------------------

    async def list_cities(self, request: Request) -> Response:
        renderer = self._renderer(request)
        cities = [renderer.city(city) for city in CITIES]
        return json_response(list_document(cities, [], len(cities), max(len(cities), 1)))

    def _check_point_of_service(self, request: Request) -> Renderer:
        renderer = self._renderer(request)
        if request.path_params["pos_id"] != renderer.point_of_service_id:
            raise NotFound(f"Point of service {request.path_params['pos_id']} not found")
        return renderer

    async def get_point_of_service(self, request: Request) -> Response:
        renderer = self._check_point_of_service(request)
        return json_response({"data": renderer.point_of_service(), "included": []})

    async def point_of_service_city(self, request: Request) -> Response:
        renderer = self._check_point_of_service(request)
        return json_response({"data": renderer.city(CITIES[HOME_CITY]), "included": []})

    # ---- reviews ----------------------------------------------------------------------------

    async def list_reviews(self, request: Request) -> Response:
        query = read_reviews_query(request.query_params, self._world.now_ms)
        reviews = self._world.visible_reviews(
            query.approved_from_ms, query.approved_to_ms, query.quality
        )
        page = query.page
        renderer = self._renderer(request)
        data = [renderer.review(review) for review in reviews[page.start : page.start + page.size]]
        return json_response(list_document(data, [], len(reviews), page.size))

    async def get_review(self, request: Request) -> Response:
        """By review id, or by order id as one client calls it (reference §1.8)."""
        opaque = request.path_params["review_id"]
        review = self._sim.reviews_by_id.get(opaque)
        if review is None:
            key = decode_id(opaque)
            index = self._world.visible_index(int(key)) if key and key.isdigit() else None
            review = self._sim.review_by_order.get(index) if index is not None else None
        if review is None or not self._world.review_visible(review):
            raise NotFound(f"Review {opaque} not found")
        return json_response({"data": self._renderer(request).review(review), "included": []})

    async def unknown_path(self, request: Request) -> Response:
        raise NotFound(f"No such resource: {request.url.path}")


async def _read_status_change(request: Request) -> StatusChange:
    try:
        document = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("The body must be a JSON:API document") from None
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, dict) or data.get("type") != "orders":
        raise BadRequest('Expected {"data": {"type": "orders", "id": ..., "attributes": {...}}}')
    attributes = data.get("attributes")
    order_id = data.get("id")
    if not isinstance(order_id, str) or not isinstance(attributes, dict):
        raise BadRequest("data.id (the order's id) and data.attributes are required")
    status = attributes.get("status")
    if not isinstance(status, str) or not status:
        raise BadRequest("data.attributes.status is required")
    code = attributes.get("code")
    security_code = request.headers.get("x-security-code") or None
    return StatusChange(
        order_id=order_id,
        code=None if code is None else str(code),
        status=status,
        cancellation_reason=_optional_text(attributes.get("cancellationReason")),
        cancellation_comment=_optional_text(attributes.get("cancellationComment")),
        number_of_space=attributes.get("numberOfSpace"),
        send_code=request.headers.get("x-send-code", "").lower() == "true",
        security_code=security_code,
    )


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)
