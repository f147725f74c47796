"""``/_sim/...``: the simulator's own controls (not Kaspi's). No token: it listens on loopback."""

from __future__ import annotations

import csv
import io
import json
import random
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from saudager.adapters.kaspi.simulator.shoptime import SECOND
from saudager.adapters.kaspi.simulator.simulation import Simulation
from saudager.core.timewindows import from_epoch_ms, zone

RETURNS_CSV_COLUMNS = ("order_code", "sku", "quantity", "reason", "created_at")
PRODUCTS_CSV_COLUMNS = ("sku", "name", "category", "purchase_cost", "brand", "weight_kg", "stock",
                        "kaspi_product_code")  # fmt: skip


class AdminApi:
    def __init__(self, sim: Simulation) -> None:
        self._sim = sim

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/_sim/state", self.state, methods=["GET"]),
            Route("/_sim/clock", self.clock, methods=["POST"]),
            Route("/_sim/faults", self.list_faults, methods=["GET"]),
            Route("/_sim/faults", self.queue_fault, methods=["POST"]),
            Route("/_sim/faults", self.clear_faults, methods=["DELETE"]),
            Route("/_sim/security-codes/{code}", self.security_code, methods=["GET"]),
            Route("/_sim/returns.csv", self.returns_csv, methods=["GET"]),
            Route("/_sim/products.csv", self.products_csv, methods=["GET"]),
        ]

    async def state(self, request: Request) -> Response:
        return JSONResponse(self._state())

    def _state(self) -> dict[str, Any]:
        sim = self._sim
        world, config = sim.world, sim.shop.config
        counts = world.counts()
        return {
            "now_ms": world.now_ms,
            "now": self._local_iso(world.now_ms),
            "seed": config.seed,
            "merchant_id": config.merchant_id,
            "period": {"start": config.start.isoformat(), "end": config.end.isoformat()},
            "version": world.version,
            "orders": {
                "generated": len(sim.shop.orders),
                "visible": sum(counts["by_state"].values()),
                "changed_through_api": len(world.overrides),
                **counts,
            },
            "reviews": {"generated": len(sim.shop.reviews)},
            "faults": {
                "queued": [fault.describe() for fault in sim.faults.queued],
                "fault_rate": sim.faults.fault_rate,
                "injected": sim.faults.injected,
            },
        }

    async def clock(self, request: Request) -> Response:
        body = await _json_body(request)
        world = self._sim.world
        if isinstance(body.get("now_ms"), int):
            world.set_now(body["now_ms"])
        elif isinstance(body.get("advance_seconds"), int | float):
            world.set_now(world.now_ms + int(body["advance_seconds"] * SECOND))
        else:
            return _problem('expected {"advance_seconds": n} or {"now_ms": n}')
        return JSONResponse({"now_ms": world.now_ms, "now": self._local_iso(world.now_ms)})

    async def list_faults(self, request: Request) -> Response:
        return JSONResponse({"queued": [fault.describe() for fault in self._sim.faults.queued]})

    async def queue_fault(self, request: Request) -> Response:
        body = await _json_body(request)
        try:
            fault = self._sim.faults.queue(
                kind=str(body.get("kind")),
                count=int(body.get("count", 1)),
                path_prefix=str(body.get("path_prefix", "/shop/api/v2")),
                seconds=float(body["seconds"]) if "seconds" in body else None,
                retry_after=int(body["retry_after"]) if "retry_after" in body else None,
            )
        except (TypeError, ValueError) as exc:
            return _problem(str(exc))
        return JSONResponse({"queued": fault.describe()})

    async def clear_faults(self, request: Request) -> Response:
        self._sim.faults.clear()
        return JSONResponse({"queued": []})

    async def security_code(self, request: Request) -> Response:
        raw = request.path_params["code"]
        code = self._sim.world.security_codes.get(int(raw)) if raw.isdigit() else None
        if code is None:
            return JSONResponse({"error": f"no security code was sent for order {raw}"}, 404)
        return JSONResponse({"orderCode": raw, "securityCode": code})

    async def returns_csv(self, request: Request) -> Response:
        """The cabinet's returns list, with the reason the API does not expose."""
        shop, world = self._sim.shop, self._sim.world
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(RETURNS_CSV_COLUMNS)
        for index in world.returns():
            order = shop.orders[index]
            created_at = self._local_iso(order.return_requested_ms or order.created_ms)
            for product_index, quantity, _ in order.lines:
                sku = shop.catalog.products[product_index].offer_code
                writer.writerow((order.code, sku, quantity, order.return_reason, created_at))
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")

    async def products_csv(self, request: Request) -> Response:
        """The seller's own price list: what each SKU costs to buy, and what is on the shelf —
        what a seller keeps in Excel and Kaspi never sees. Deterministic for the seed."""
        shop = self._sim.shop
        rng = random.Random(f"{shop.config.seed}:purchase-costs")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(PRODUCTS_CSV_COLUMNS)
        for product in shop.catalog.products:
            # Bought for 45–75 % of the shelf price: a plausible spread of markups.
            cost = round(product.price * rng.uniform(0.45, 0.75))
            writer.writerow(
                (product.offer_code, product.name, product.category.title, cost, product.brand,
                 f"{product.weight_g / 1000:.3f}", rng.randint(0, 60), product.kaspi_code)
            )  # fmt: skip
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")

    def _local_iso(self, epoch_ms: int) -> str:
        """ISO 8601 in the shop's zone, with its offset (``2026-02-12T10:15:00+05:00``)."""
        moment: datetime = from_epoch_ms(epoch_ms).astimezone(zone(self._sim.shop.config.timezone))
        return moment.isoformat(timespec="seconds")


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _problem(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)
