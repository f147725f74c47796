"""The store, a shop and the import service, on each database of ``tests/conftest.py``."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from saudager.adapters.db.store import SqlStore
from saudager.adapters.files.readers import TabularFileReader
from saudager.domains.imports.service import ImportService
from saudager.domains.shops.types import Shop


@pytest.fixture
def store(engine: Engine) -> SqlStore:
    return SqlStore(engine)


@pytest.fixture
def shop(store: SqlStore) -> Shop:
    with store.transaction() as tx:
        return tx.add_shop("Demo", "Asia/Almaty", None, None)


@pytest.fixture
def service(store: SqlStore) -> ImportService:
    return ImportService(store, TabularFileReader())
