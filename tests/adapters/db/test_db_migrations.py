"""Migrations: from an empty database to the schema ``tables.py`` describes, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

import saudager.adapters.db
from pg import skip_or_fail, temporary_database, unavailable_reason
from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from saudager.adapters.db.tables import metadata


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nested' / 'saudager.db'}"
        return
    reason = unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    with temporary_database("saudager_migration") as url:
        yield url


@pytest.fixture
def empty_engine(empty_url: str) -> Iterator[Engine]:
    engine = create_engine_for(empty_url)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


def test_upgrade_from_empty_matches_the_tables(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade_to_head(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) == {*metadata.tables, "alembic_version"}
    assert schema_differences(empty_engine) == []


def test_upgrade_is_idempotent_and_takes_a_url(empty_url: str, empty_engine: Engine) -> None:
    upgrade_to_head(empty_url)
    upgrade_to_head(empty_url)
    assert current_revision(empty_engine) == head_revision()


def test_downgrade_to_empty_and_back(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(empty_engine)
    assert schema_differences(empty_engine) == []


def test_migrations_ship_inside_the_package() -> None:
    script_location = Path(alembic_config().get_main_option("script_location") or "")
    assert (script_location / "env.py").is_file()
    assert (script_location / "script.py.mako").is_file()
    assert any((script_location / "versions").glob("0001_*.py"))
    package = Path(saudager.adapters.db.__file__).parent
    assert script_location == package / "migrations"


def test_processes_starting_together_migrate_once(empty_url: str) -> None:
    """Workers that start at once take turns (advisory lock, BEGIN IMMEDIATE); none fails."""
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            upgrade_to_head(empty_url)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = create_engine_for(empty_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
