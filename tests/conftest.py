"""Shared fixtures: a migrated database of each kind (SQLite, then PostgreSQL when reachable).

PostgreSQL helpers live in ``tests/pg.py``; without a reachable server its tests are skipped,
unless ``SAUDAGER_REQUIRE_POSTGRES=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pg import clean_postgres_engine, postgres_engine, postgres_url
from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head

__all__ = ["clean_postgres_engine", "postgres_engine", "postgres_url"]


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
