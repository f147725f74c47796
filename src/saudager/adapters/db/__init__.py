"""Storage on SQLite (embedded) or PostgreSQL (scale), through SQLAlchemy Core and Alembic.

- ``engine.create_engine_for(url)``: an engine set up for Saudager (SQLite pragmas, psycopg 3).
- ``migrate.upgrade_to_head(engine_or_url)``: the only way the schema is created or changed.
- ``store.SqlStore(engine)``: the domains' ``Store`` port.

Import the submodules directly: this package imports nothing, so using the store does not load
Alembic. Tables, keys and how money and time are stored: ``docs/storage.md``.
"""
