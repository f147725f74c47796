"""PostgreSQL for tests: a throwaway, migrated database per test session.

A plain module (not a conftest) so that any test package can use it: import the fixtures into a
``conftest.py`` (``from pg import postgres_url, postgres_engine, clean_postgres_engine``) and mark
the tests that use them ``@pytest.mark.postgres``.

The server is ``SAUDAGER_TEST_POSTGRES_URL`` (default: the machine's own, user ``postgres`` with
trust auth). When it cannot be reached the tests are skipped with the reason, unless
``SAUDAGER_REQUIRE_POSTGRES=1`` (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.tables import metadata

ADMIN_URL_ENV = "SAUDAGER_TEST_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REQUIRE_ENV = "SAUDAGER_REQUIRE_POSTGRES"


def admin_url() -> str:
    """A database on the test server we may connect to in order to create and drop others."""
    return os.environ.get(ADMIN_URL_ENV, DEFAULT_ADMIN_URL)


def postgres_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def _conninfo(url: str) -> str:
    # psycopg wants a libpq URL: no "+psycopg" driver suffix.
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@cache
def unavailable_reason() -> str | None:
    """Why PostgreSQL cannot be used for tests, or ``None`` when it can (asked once a session)."""
    shown = make_url(admin_url()).render_as_string(hide_password=True)
    try:
        with psycopg.connect(_conninfo(admin_url()), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL not reachable at {shown} ({first_line}); set {ADMIN_URL_ENV}"
    return None


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test; fail it instead when ``SAUDAGER_REQUIRE_POSTGRES=1`` (CI)."""
    if postgres_required():
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


@contextmanager
def temporary_database(prefix: str = "saudager_test") -> Iterator[str]:
    """A new, empty, uniquely named database; its URL is yielded and it is dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _conninfo(admin_url())
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            # FORCE: a connection a failed test leaked must not keep the database alive.
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def truncate_all(engine: Engine) -> None:
    """Empty every Saudager table (and restart the id sequences)."""
    names = ", ".join(table.name for table in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a database created for this test session and migrated to the newest schema."""
    reason = unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    with temporary_database() as url:
        upgrade_to_head(url)
        yield url


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_engine_for(postgres_url)
    yield engine
    engine.dispose()


@pytest.fixture
def clean_postgres_engine(postgres_engine: Engine) -> Engine:
    """The session's PostgreSQL engine, with every table emptied before the test."""
    truncate_all(postgres_engine)
    return postgres_engine
