"""Fixtures for the storage tests: a migrated SQLite file per test, PostgreSQL per session."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

# tests/ holds the shared PostgreSQL helpers (pg.py); a top-level conftest.py, once there, puts
# it on sys.path too, and then this line does nothing.
_TESTS = str(Path(__file__).resolve().parents[2])
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)

from pg import clean_postgres_engine, postgres_engine, postgres_url  # noqa: E402
from saudager.adapters.db.engine import create_engine_for  # noqa: E402
from saudager.adapters.db.migrate import upgrade_to_head  # noqa: E402
from saudager.adapters.db.store import SqlStore  # noqa: E402

__all__ = ["clean_postgres_engine", "postgres_engine", "postgres_url"]


class Clock:
    """A clock the test moves by hand; the store stamps rows with it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (much cheaper than migrating again)."""
    path = tmp_path_factory.mktemp("template") / "saudager.db"
    engine = create_engine_for(f"sqlite:///{path}")
    upgrade_to_head(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_engine(sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "saudager.db"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine_for(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    """A migrated, empty database: SQLite, then PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "clean_postgres_engine"
    engine: Engine = request.getfixturevalue(name)
    return engine


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
