"""Bring a database's schema up to date by running the packaged Alembic migrations.

Run at start-up (embedded mode) or once per deploy (scale mode). It is safe to run from several
processes at once: on PostgreSQL an advisory lock makes them take turns, on SQLite the
``BEGIN IMMEDIATE`` of our engines does. The whole upgrade is one transaction on both, so a
failed migration leaves the schema as it was.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from saudager.adapters.db.engine import create_engine_for

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Any constant the application owns; "saudager" in ASCII, read as a number.
_MIGRATION_LOCK_KEY = 0x7361756461676572


def alembic_config() -> Config:
    """An Alembic configuration pointing at the packaged migrations, without an ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of Saudager."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # only if the package was shipped without its migrations
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine_or_url: Engine | str) -> None:
    """Apply every migration the database has not had yet (none if it is up to date)."""
    if isinstance(engine_or_url, Engine):
        _upgrade(engine_or_url)
        return
    engine = create_engine_for(engine_or_url)
    try:
        _upgrade(engine)
    finally:
        engine.dispose()


def _upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        _lock(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _lock(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Released at commit or rollback; a second process waits here, then finds nothing to do.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
