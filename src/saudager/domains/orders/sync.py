"""Pure planning of a sync: which states and creation-date windows to read.

Kaspi lists orders by state and by at most 14 days of creation dates, and orders move from state
to state while we read. Reading the states in lifecycle order (NEW first, ARCHIVE last) means an
order that moves during a sync moves *ahead* of the reader and is still seen; the overlap
re-reads the last days of the previous sync for moves that happened between syncs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from saudager.core.timewindows import Window, split_window
from saudager.domains.orders.types import OrderState

#: Lifecycle order. Orders only move forward through it, towards ARCHIVE.
STATE_ORDER: tuple[str, ...] = (
    OrderState.NEW,
    OrderState.SIGN_REQUIRED,
    OrderState.PICKUP,
    OrderState.DELIVERY,
    OrderState.KASPI_DELIVERY,
    OrderState.ARCHIVE,
)

KASPI_MAX_WINDOW = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    history: timedelta  # how far back the first sync reads
    overlap: timedelta  # how much of the previous sync each sync reads again
    rescan_limit: timedelta  # active orders older than this are re-read one by one instead


@dataclass(frozen=True, slots=True)
class StateScan:
    state: str
    windows: tuple[Window, ...]


def plan_scans(
    until: datetime,
    watermarks: dict[str, datetime],
    oldest_active: datetime | None,
    policy: SyncPolicy,
) -> list[StateScan]:
    """The windows to read for each state, in lifecycle order.

    A state read before starts ``overlap`` before its watermark, or earlier still when an order
    we hold as active was created before that (so its move to another state is read in pages,
    not one request per order) — but never more than ``rescan_limit`` back.
    """
    scans: list[StateScan] = []
    for state in STATE_ORDER:
        mark = watermarks.get(state)
        if mark is None:
            since = until - policy.history
        else:
            since = min(mark - policy.overlap, until)
            if oldest_active is not None:
                since = min(since, max(oldest_active, until - policy.rescan_limit))
        windows = split_window(Window(since, until), KASPI_MAX_WINDOW) if since < until else []
        scans.append(StateScan(state=state, windows=tuple(windows)))
    return scans
