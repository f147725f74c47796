"""PostgreSQL only: a first bulk load gets the planner statistics it needs (see SqlStore)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from pg import skip_or_fail, temporary_database, unavailable_reason
from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.domains.orders.types import Order, OrderLine

pytestmark = pytest.mark.postgres


def has_statistics(engine: Engine) -> bool:
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM pg_stats WHERE tablename = 'orders'")
        return bool(conn.execute(query).scalar_one())


def test_first_bulk_load_is_analyzed() -> None:
    reason = unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    orders = [
        Order(
            code=str(n),
            created_at=start + timedelta(minutes=n),
            state="ARCHIVE",
            status="COMPLETED",
            total_price=Decimal(100),
            lines=(OrderLine(1, "SKU", 1, Decimal(100), Decimal(100)),),
        )
        for n in range(1200)
    ]
    with temporary_database("saudager_stats") as url:
        engine = create_engine_for(url)
        try:
            upgrade_to_head(engine)
            store = SqlStore(engine)
            with store.transaction() as tx:
                shop_id = tx.add_shop("s", "Asia/Almaty", None, None).id
            assert not has_statistics(engine)
            for first in range(0, len(orders), 100):  # as a sync writes them: page by page
                with store.transaction() as tx:
                    tx.upsert_orders(shop_id, orders[first : first + 100])
            assert has_statistics(engine)
        finally:
            engine.dispose()
