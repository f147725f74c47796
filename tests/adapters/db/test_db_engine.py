"""Engines: the URL forms accepted, and SQLite set up on every connection."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from saudager.adapters.db.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine_for, normalize_url
from saudager.core.errors import ConfigurationError


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg"),
        ("postgres://u:secret@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:////abs/saudager.db", "sqlite"),
        ("sqlite://", "sqlite"),
    ],
)
def test_urls_get_our_driver(url: str, driver: str) -> None:
    normalized = normalize_url(url)
    assert normalized.drivername == driver
    assert normalized.database == make_url(url).database


def test_postgres_url_keeps_its_parts() -> None:
    url = normalize_url("postgresql://user:p%40ss@db.example:6543/shops?sslmode=require")
    assert (url.username, url.password, url.host, url.port) == ("user", "p@ss", "db.example", 6543)
    assert url.database == "shops"
    assert url.query == {"sslmode": "require"}


def test_other_databases_are_refused_without_showing_the_password() -> None:
    with pytest.raises(ConfigurationError, match="unsupported database URL") as caught:
        normalize_url("mysql://root:hunter2@localhost/db")
    assert "hunter2" not in str(caught.value)


def test_sqlite_file_and_parents_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "saudager.db"
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert path.exists()


def pragmas(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        return {
            name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }


def test_sqlite_pragmas_on_every_connection(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    expected = {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 1,  # NORMAL
    }
    try:
        assert pragmas(engine) == expected
        # A connection opened in another thread is a new connection: set up the same way.
        seen: list[dict[str, object]] = []
        thread = threading.Thread(target=lambda: seen.append(pragmas(engine)))
        with engine.connect():  # hold one so the thread's is not the pooled one
            thread.start()
            thread.join()
        assert seen == [expected]
    finally:
        engine.dispose()


def test_in_memory_sqlite_works(tmp_path: Path) -> None:
    engine = create_engine_for("sqlite://")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert conn.execute(text("SELECT x FROM t")).scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_sqlite_transactions_are_real(tmp_path: Path) -> None:
    """DDL and reads are inside the transaction: a rollback undoes a CREATE TABLE."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    try:

        def create_then_fail() -> None:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE t (x INTEGER)"))
                raise RuntimeError

        with pytest.raises(RuntimeError):
            create_then_fail()
        with engine.connect() as conn:
            names = conn.execute(text("SELECT name FROM sqlite_master")).scalars().all()
        assert names == []
    finally:
        engine.dispose()


def test_two_sqlite_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: read-then-write units of work in two threads both succeed."""
    engine = create_engine_for(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(50):
                with engine.begin() as conn:
                    n = conn.execute(text("SELECT n FROM counter")).scalar_one()
                    conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        except BaseException as exc:  # reported below, with the count
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 200
    finally:
        engine.dispose()
