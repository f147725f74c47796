"""Fixtures for the storage tests: a store on each database, with a clock the test controls.

The databases themselves (``engine``: a migrated SQLite copy, then the session's PostgreSQL with
emptied tables) come from ``tests/conftest.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore


class Clock:
    """A clock the test moves by hand; the store stamps rows with it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 8, 25, 6, 0, tzinfo=UTC))


@pytest.fixture
def store(engine: Engine, clock: Clock) -> SqlStore:
    return SqlStore(engine, clock=clock)


@pytest.fixture
def shop_id(store: SqlStore) -> int:
    with store.transaction() as tx:
        return tx.add_shop("Test shop", "Asia/Almaty", None, None).id
