"""Engines for the two supported databases: one SQLite file (embedded) or PostgreSQL (scale)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from saudager.core.errors import ConfigurationError

#: How long a SQLite writer waits for another one before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: A connection execution option: its transactions only read (``SqlStore.reading``).
READ_ONLY_OPTION = "saudager_read_only"

_POSTGRES_DRIVER = "postgresql+psycopg"


def normalize_url(url: str | URL) -> URL:
    """The URL with the driver Saudager uses: ``postgresql://`` becomes ``postgresql+psycopg://``.

    ``postgres://`` (as hosting providers print it) is accepted too. Any other database is
    refused with a message saying what is supported.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in {"postgresql", "postgres"}:
        if parsed.drivername in {"postgresql", "postgres"}:
            parsed = parsed.set(drivername=_POSTGRES_DRIVER)
        return parsed
    if backend == "sqlite":
        return parsed
    raise ConfigurationError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
        "expected sqlite:////path/to/saudager.db or postgresql://user@host/dbname"
    )


def create_engine_for(url: str | URL, **engine_options: Any) -> Engine:
    """An engine for a ``sqlite:`` or ``postgresql:`` URL, set up the way Saudager needs it.

    SQLite: the file's parent directories are created; every connection runs in WAL mode with
    foreign keys on, a busy timeout and ``synchronous=NORMAL``; and SQLAlchemy, not the sqlite3
    module, begins transactions, with ``BEGIN IMMEDIATE``. The last point matters: sqlite3 on
    its own neither begins a transaction before a SELECT (so reads inside a unit of work are not
    repeatable and savepoints misbehave) nor takes the write lock up front (so two units of work
    that read then write can fail with ``database is locked`` regardless of the busy timeout).
    Taking the lock at BEGIN makes writers queue; in WAL mode readers are never blocked.

    PostgreSQL: psycopg 3, with connections checked before use (a restarted server or a dropped
    idle connection should not fail the next sync).
    """
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, engine_options)
    engine_options.setdefault("pool_pre_ping", True)
    return create_engine(parsed, **engine_options)


def _sqlite_engine(url: URL, engine_options: dict[str, Any]) -> Engine:
    database = url.database or ""
    in_memory = database in {"", ":memory:"} or database.startswith("file::memory:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **engine_options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (see the "begin" hook below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # The busy timeout first: switching to WAL needs a moment of exclusive access,
            # and a process starting while another migrates must wait for it, not fail.
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            if not in_memory:
                _switch_to_wal(cursor)
            cursor.execute("PRAGMA foreign_keys=ON")
            # Safe with WAL: a power cut may lose the last commits, never corrupt the file.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reader needs no write lock: in WAL mode it reads its snapshot beside the writers.
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _switch_to_wal(cursor: Any) -> None:
    """Put the file in WAL mode (it stays so); once it is, this is a read.

    Switching needs the file to itself, and SQLite answers "database is locked" at once rather
    than waiting out the busy timeout when another connection is in a transaction (processes
    starting together on a new file, each migrating): so wait and try again, briefly.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
