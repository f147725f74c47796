"""The Kaspi Shop API v2 client.

Speaks the shapes in ``shared/reference/kaspi-api.md``: JSON:API documents, ``X-Auth-Token``,
epoch milliseconds, ``page[number]`` from 0, ≤ 100 per page, ≤ 14 days of creation dates per
list request. Retries 429, 5xx, timeouts and cut bodies with jittered exponential back-off, and
keeps to a per-shop request rate. The transport is swappable, so tests run it against the
simulator over loopback or against recorded payloads.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from saudager.adapters.kaspi.errors import (
    KaspiAuthError,
    KaspiError,
    KaspiHtmlResponseError,
    KaspiNotFoundError,
    KaspiPayloadError,
    KaspiRequestError,
    KaspiUnavailableError,
)
from saudager.adapters.kaspi.mapping import (
    map_entry,
    map_master_product,
    map_order_batch,
    map_review,
)
from saudager.core.masking import redact_phones
from saudager.core.timewindows import to_epoch_ms
from saudager.domains.catalog.types import Product
from saudager.domains.orders.types import Order, OrderBatch, OrderLine, Review

log = logging.getLogger(__name__)

JSON_API = "application/vnd.api+json"
MAX_PAGE_SIZE = 100
MAX_WINDOW = timedelta(days=14)
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class OrdersPage:
    batch: OrderBatch
    page_count: int


class RateLimiter:
    """At most ``per_second`` request starts per second, shared by the client's threads."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


class KaspiClient:
    """One shop's connection to Kaspi. Close it, or use it as a context manager."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        requests_per_second: float = 6.0,
        timeout_seconds: float = 30.0,
        max_retries: int = 5,
        backoff_seconds: float = 0.5,
        page_size: int = MAX_PAGE_SIZE,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}")
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/",
            headers={
                "X-Auth-Token": token,
                # Without Accept Kaspi answers 404 with an HTML page; Content-Type is
                # required even on GET.
                "Accept": JSON_API,
                "Content-Type": JSON_API,
                "User-Agent": "saudager",
            },
            timeout=timeout_seconds,
            transport=transport,
        )
        self._limiter = RateLimiter(requests_per_second)
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._page_size = page_size
        self.requests_sent = 0

    def __enter__(self) -> KaspiClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- transport -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        attempt = 0
        while True:
            self._limiter.wait()
            self.requests_sent += 1
            failure: str
            retry_after: float | None = None
            try:
                response = self._http.request(
                    method,
                    path.lstrip("/"),
                    params=params,
                    content=json.dumps(body).encode() if body is not None else None,
                    headers=headers,
                )
            except httpx.TimeoutException:
                failure = "timed out"
            except httpx.TransportError as exc:
                failure = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code in RETRYABLE_STATUSES:
                    failure = f"HTTP {response.status_code}"
                    retry_after = _retry_after(response)
                else:
                    try:
                        return self._decode(response, method, path)
                    except _CutBody:
                        failure = "the body was cut off"
            if attempt >= self._max_retries:
                raise KaspiUnavailableError(
                    f"Kaspi did not answer {method} {path} after {attempt + 1} attempts: {failure}"
                )
            delay = self._backoff_delay(attempt, retry_after)
            log.warning("Kaspi %s %s: %s; retrying in %.2fs", method, path, failure, delay)
            self._sleep(delay)
            attempt += 1

    def _backoff_delay(self, attempt: int, retry_after: float | None) -> float:
        # Full jitter (AWS architecture blog): spreads retries of many shops apart.
        ceiling = self._backoff * (2**attempt)
        delay = self._rng.uniform(0, ceiling)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, 60.0)

    def _decode(self, response: httpx.Response, method: str, path: str) -> dict[str, Any]:
        content_type = response.headers.get("content-type", "")
        if "html" in content_type or response.text.lstrip().startswith("<"):
            raise KaspiHtmlResponseError(
                f"Kaspi answered {method} {path} with an HTML page (HTTP {response.status_code}) "
                "instead of JSON: check the API URL, and that the request reached Kaspi's API"
            )
        if response.status_code in (401, 403):
            raise KaspiAuthError(
                f"Kaspi refused the API token (HTTP {response.status_code}): check the token in "
                "the Kaspi cabinet, Settings → API token, and set it again"
            )
        try:
            document = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            if response.status_code == 200:
                raise _CutBody from exc
            raise KaspiError(
                f"Kaspi answered {method} {path} with HTTP {response.status_code} and a body "
                "that is not JSON"
            ) from exc
        if response.status_code == 404:
            raise KaspiNotFoundError(f"Kaspi has no such resource: {method} {path}")
        if response.status_code != 200:
            raise KaspiRequestError(response.status_code, _error_titles(document))
        if not isinstance(document, dict):
            raise KaspiPayloadError(f"{method} {path}: expected a JSON:API document")
        return document

    # ---- orders ----------------------------------------------------------------------------

    def orders_page(
        self,
        state: str,
        created_from: datetime,
        created_to: datetime,
        page_number: int,
        *,
        include_entries: bool = True,
    ) -> OrdersPage:
        if created_to - created_from > MAX_WINDOW:
            raise ValueError("Kaspi lists at most 14 days of creation dates per request")
        params: dict[str, str | int] = {
            "page[number]": page_number,
            "page[size]": self._page_size,
            "filter[orders][state]": state,
            "filter[orders][creationDate][$ge]": to_epoch_ms(created_from),
            "filter[orders][creationDate][$le]": to_epoch_ms(created_to),
        }
        if include_entries:
            params["include[orders]"] = "entries"
        document = self._request("GET", "orders", params=params)
        return _orders_page(document)

    def iter_orders(
        self, state: str, created_from: datetime, created_to: datetime
    ) -> Iterator[OrderBatch]:
        """Every page of orders in ``state`` created in [from, to] (≤ 14 days)."""
        page_number = 0
        while True:
            page = self.orders_page(state, created_from, created_to, page_number)
            if page.batch.orders:
                yield page.batch
            page_number += 1
            if page_number >= page.page_count or not page.batch.orders:
                return

    def order_by_code(self, code: str) -> OrderBatch:
        """One order by its code, with no date restriction (Kaspi's ``filter[orders][code]``)."""
        document = self._request(
            "GET",
            "orders",
            params={
                "page[number]": 0,
                "page[size]": 1,
                "filter[orders][code]": code,
                "include[orders]": "entries",
            },
        )
        return _orders_page(document).batch

    def order_entries(self, order_id: str) -> list[OrderLine]:
        document = self._request("GET", f"orders/{order_id}/entries")
        return [map_entry(entry) for entry in _resources(document)]

    def product_for_line(self, order: Order, line: OrderLine) -> Product | None:
        """The Kaspi card (masterproduct) behind one order line."""
        if not line.kaspi_entry_id:
            return None
        try:
            document = self._request("GET", f"orderentries/{line.kaspi_entry_id}/product")
        except KaspiNotFoundError:
            return None
        data = document.get("data")
        if not isinstance(data, Mapping):
            return None
        return map_master_product(data, line)

    def set_status(
        self,
        order: Order,
        status: str,
        *,
        cancellation_reason: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """``POST /orders`` with the new status (Kaspi changes orders by POST, not PATCH)."""
        if order.kaspi_id is None:
            raise ValueError(f"order {order.code} has no Kaspi id: it was not synced from Kaspi")
        attributes: dict[str, Any] = {"code": order.code, "status": status}
        if cancellation_reason is not None:
            attributes["cancellationReason"] = cancellation_reason
        body = {"data": {"type": "orders", "id": order.kaspi_id, "attributes": attributes}}
        return self._request("POST", "orders", body=body, headers=extra_headers)

    def send_completion_code(self, order: Order) -> None:
        """First step of completion: Kaspi sends the buyer a code in the Kaspi app."""
        self.set_status(
            order, "COMPLETED", extra_headers={"X-Send-Code": "true", "X-Security-Code": ""}
        )

    def complete(self, order: Order, security_code: str) -> None:
        """Second step: complete with the code the buyer read out."""
        self.set_status(order, "COMPLETED", extra_headers={"X-Security-Code": security_code})

    # ---- reviews ---------------------------------------------------------------------------

    def reviews(self, approved_from: datetime, approved_to: datetime) -> list[Review] | None:
        """Merchant reviews approved in [from, to]; ``None`` where Kaspi has no such endpoint."""
        found: list[Review] = []
        page_number = 0
        while True:
            try:
                document = self._request(
                    "GET",
                    "merchantreviews",
                    params={
                        "page[number]": page_number,
                        "page[size]": self._page_size,
                        "filter[merchantreviews][approvedDate][$ge]": to_epoch_ms(approved_from),
                        "filter[merchantreviews][approvedDate][$le]": to_epoch_ms(approved_to),
                    },
                )
            except (KaspiNotFoundError, KaspiHtmlResponseError):
                # /merchantreviews is not in Kaspi's guide; where it is missing we go on without.
                log.info("Kaspi has no merchant reviews endpoint for this shop")
                return None
            found.extend(map_review(resource) for resource in _resources(document))
            page_number += 1
            if page_number >= _page_count(document):
                return found


class _CutBody(Exception):
    """A 200 whose JSON ends early: retried like a network fault."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _error_titles(document: object) -> list[str]:
    if not isinstance(document, Mapping):
        return []
    errors = document.get("errors")
    if not isinstance(errors, list):
        return []
    return [
        redact_phones(str(error.get("title") or error.get("detail") or ""))
        for error in errors
        if isinstance(error, Mapping)
    ]


def _resources(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    data = document.get("data")
    if data is None:
        return []
    if isinstance(data, Mapping):
        return [data]
    if not isinstance(data, list):
        raise KaspiPayloadError("data should be a list or an object")
    return [item for item in data if isinstance(item, Mapping)]


def _page_count(document: Mapping[str, Any]) -> int:
    meta = document.get("meta")
    if isinstance(meta, Mapping) and isinstance(meta.get("pageCount"), int):
        return int(meta["pageCount"])
    return 1


def _orders_page(document: Mapping[str, Any]) -> OrdersPage:
    included = document.get("included") or []
    entries = {
        str(item["id"]): item
        for item in included
        if isinstance(item, Mapping) and item.get("type") == "orderentries" and "id" in item
    }
    resources = _resources(document)
    meta = document.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    total = int(meta.get("totalCount") or len(resources))
    return OrdersPage(
        batch=map_order_batch(resources, entries if entries else None, total),
        page_count=int(meta.get("pageCount") or 0),
    )
