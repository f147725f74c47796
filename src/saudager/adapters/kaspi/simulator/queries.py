"""Reading and checking query parameters the way Kaspi's list endpoints expect them.

Rules with a Kaspi source: 0-based ``page[number]``, ``page[size]`` ≤ 100, both required;
``filter[orders][state]`` and ``filter[orders][creationDate][$ge]`` required, ``[$le]`` defaults
to now, at most 14 days between them; ``filter[orders][code]`` alone lifts the date rule. The
exact wording of our 400 titles is ours [G].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from saudager.adapters.kaspi.simulator.shoptime import DAY
from saudager.adapters.kaspi.simulator.world import DELIVERY_TYPES
from saudager.domains.orders.types import OrderState

MAX_PAGE_SIZE = 100
MAX_WINDOW_MS = 14 * DAY
STATES = frozenset(state.value for state in OrderState)
INCLUDES = frozenset({"entries", "user"})
REVIEW_QUALITIES = frozenset({"POSITIVE", "NEGATIVE"})


class BadRequest(Exception):
    """A 400 with this title."""

    def __init__(self, title: str) -> None:
        super().__init__(title)
        self.title = title


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int

    @property
    def start(self) -> int:
        return self.number * self.size


@dataclass(frozen=True, slots=True)
class Includes:
    entries: bool = False
    user: bool = False


@dataclass(frozen=True, slots=True)
class OrdersQuery:
    page: Page
    includes: Includes
    code: int | None  # filter[orders][code]: the one order, whatever its date or state
    state: str
    created_from_ms: int
    created_to_ms: int
    status: str | None
    delivery_type: str | None


@dataclass(frozen=True, slots=True)
class ReviewsQuery:
    page: Page
    approved_from_ms: int
    approved_to_ms: int
    quality: str | None


def read_page(params: Mapping[str, str]) -> Page:
    raw_number, raw_size = params.get("page[number]"), params.get("page[size]")
    if raw_number is None or raw_size is None:
        raise BadRequest("page[number] and page[size] are required")
    number = _integer(raw_number, "page[number]")
    size = _integer(raw_size, "page[size]")
    if number < 0:
        raise BadRequest("page[number] starts at 0")
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"page[size] must be between 1 and {MAX_PAGE_SIZE}")
    return Page(number, size)


def read_includes(params: Mapping[str, str]) -> Includes:
    raw = params.get("include[orders]")
    if not raw:
        return Includes()
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = wanted - INCLUDES
    if unknown:
        raise BadRequest(
            f"include[orders] accepts entries and user, not {', '.join(sorted(unknown))}"
        )
    return Includes(entries="entries" in wanted, user="user" in wanted)


def read_orders_query(params: Mapping[str, str], now_ms: int) -> OrdersQuery:
    page = read_page(params)
    includes = read_includes(params)
    raw_code = params.get("filter[orders][code]")
    if raw_code is not None:
        code = _integer(raw_code, "filter[orders][code]")
        return OrdersQuery(page, includes, code, "", 0, now_ms, None, None)
    state = params.get("filter[orders][state]")
    if not state:
        raise BadRequest("filter[orders][state] is required")
    if state not in STATES:
        raise BadRequest(f"filter[orders][state] must be one of {', '.join(sorted(STATES))}")
    raw_from = params.get("filter[orders][creationDate][$ge]")
    if raw_from is None:
        raise BadRequest("filter[orders][creationDate][$ge] is required (epoch milliseconds)")
    created_from = _integer(raw_from, "filter[orders][creationDate][$ge]")
    raw_to = params.get("filter[orders][creationDate][$le]")
    created_to = now_ms if raw_to is None else _integer(raw_to, "filter[orders][creationDate][$le]")
    if created_to < created_from:
        raise BadRequest("filter[orders][creationDate][$le] is before [$ge]")
    if created_to - created_from > MAX_WINDOW_MS:
        raise BadRequest("The creationDate period must not be longer than 14 days")
    delivery_type = params.get("filter[orders][deliveryType]")
    if delivery_type is not None:
        if delivery_type not in DELIVERY_TYPES:
            raise BadRequest(
                f"filter[orders][deliveryType] must be one of {', '.join(sorted(DELIVERY_TYPES))}"
            )
        if delivery_type == state:
            raise BadRequest("filter[orders][deliveryType] cannot repeat the state")
    return OrdersQuery(
        page=page,
        includes=includes,
        code=None,
        state=state,
        created_from_ms=created_from,
        created_to_ms=created_to,
        status=params.get("filter[orders][status]") or None,
        delivery_type=delivery_type,
    )


def read_reviews_query(params: Mapping[str, str], now_ms: int) -> ReviewsQuery:
    page = read_page(params)
    raw_from = params.get("filter[merchantreviews][approvedDate][$ge]")
    raw_to = params.get("filter[merchantreviews][approvedDate][$le]")
    quality = params.get("filter[merchantreviews][quality]")
    if quality is not None and quality not in REVIEW_QUALITIES:
        raise BadRequest("filter[merchantreviews][quality] must be POSITIVE or NEGATIVE")
    return ReviewsQuery(
        page=page,
        approved_from_ms=0 if raw_from is None else _integer(raw_from, "approvedDate[$ge]"),
        approved_to_ms=now_ms if raw_to is None else _integer(raw_to, "approvedDate[$le]"),
        quality=quality,
    )


def _integer(raw: str, name: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number, got {raw!r}") from None
