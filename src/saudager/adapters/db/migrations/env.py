"""Alembic's entry point, run by ``upgrade_to_head`` and by the ``alembic`` command.

The application passes an open connection (inside its transaction) in
``config.attributes["connection"]``; the command line passes a URL with ``-x url=...``.
Logging is left to the application: nothing here configures it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from saudager.adapters.db.engine import create_engine_for, normalize_url
from saudager.adapters.db.tables import metadata
from saudager.core.errors import ConfigurationError

config = context.config


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise ConfigurationError("no database to migrate: pass -x url=sqlite:////path/to/db")
    return url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=normalize_url(_url()),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine_for(_url())
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
