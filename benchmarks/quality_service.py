"""Quality service end to end on a stored shop: `saudager quality SHOP` without the printing.

A shop of N orders (default 200,000 over 365 days, 1–2 lines each, 6 % late handovers, 3 %
seller cancellations, 1.5 % quality returns, 35 % of completed orders reviewed) is written into a
fresh SQLite file through the store (not timed). Then, in this process:

- baseline: reading the shop back as domain objects (``list_orders`` with lines, reviews,
  returns) — what building the facts from objects would need before any computing;
- Saudager: ``QualityService.report`` — the facts read as columns (``quality_frames``), the
  daily history from the first order (stored), sanctions, today's indicators, Жұма eligibility;

and prints both times and the ratio.

    python benchmarks/quality_service.py [--orders 200000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from saudager.adapters.db.engine import create_engine_for
from saudager.adapters.db.migrate import upgrade_to_head
from saudager.adapters.db.store import SqlStore
from saudager.domains.orders.types import Order, OrderLine, Return, Review
from saudager.settings import load_settings
from saudager.wiring import Services

AS_OF = date(2026, 8, 25)
END = datetime(2026, 8, 25, 19, 0, tzinfo=UTC)  # 26 Aug 00:00 in Almaty
DAYS = 365


def synthetic(n: int, seed: int) -> tuple[list[Order], list[Review], list[Return]]:
    rng = random.Random(seed)
    orders: list[Order] = []
    reviews: list[Review] = []
    returns: list[Return] = []
    start = END - timedelta(days=DAYS)
    for i in range(n):
        created = start + timedelta(seconds=rng.uniform(0, DAYS * 86_400))
        price = Decimal(rng.randrange(1_000, 50_000))
        lines = tuple(
            OrderLine(line_no=k, sku=f"SKU-{rng.randrange(400)}", quantity=1, unit_price=price,
                      total_price=price)
            for k in range(1, 2 + (rng.random() < 0.3))
        )  # fmt: skip
        code = str(100_000_000 + i)
        kind = rng.random()
        deadline = created + timedelta(hours=20)
        if kind < 0.03:
            order = Order(code=code, created_at=created, state="ARCHIVE", status="CANCELLED",
                          total_price=price * len(lines), cancelled_at=created + timedelta(hours=2),
                          cancellation_reason="MERCHANT_OUT_OF_STOCK", cancelled_by="seller",
                          lines=lines)  # fmt: skip
        else:
            late = rng.random() < 0.06
            handed = deadline + timedelta(hours=3) if late else deadline - timedelta(hours=4)
            completed = handed + timedelta(days=rng.randint(1, 5))
            order = Order(code=code, created_at=created, state="ARCHIVE", status="COMPLETED",
                          total_price=price * len(lines), is_kaspi_delivery=True,
                          handover_deadline=deadline, handed_over_at=handed,
                          completed_at=completed, lines=lines)  # fmt: skip
            if rng.random() < 0.015:
                returns.append(Return(key=f"{code}/{lines[0].sku}", order_code=code,
                                      sku=lines[0].sku, quantity=1, reason="quality",
                                      created_at=completed + timedelta(days=3)))  # fmt: skip
            if rng.random() < 0.35:
                reviews.append(Review(key=f"r{i}", rating=rng.choices([1, 2, 3, 4, 5], [3, 2, 5, 15, 75])[0],
                                      created_at=completed + timedelta(hours=6),
                                      approved_at=completed + timedelta(days=1), order_code=code))  # fmt: skip
        orders.append(order)
    orders.sort(key=lambda o: o.created_at)
    return orders, reviews, returns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=200_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        engine = create_engine_for(f"sqlite:///{home}/saudager.db")
        upgrade_to_head(engine)
        store = SqlStore(engine)
        orders, reviews, returns = synthetic(args.orders, 7)
        started = time.perf_counter()
        with store.transaction() as tx:
            shop = tx.add_shop("bench", "Asia/Almaty", None, None)
        for i in range(0, len(orders), 1000):
            with store.transaction() as tx:
                tx.upsert_orders(shop.id, orders[i : i + 1000])
        with store.transaction() as tx:
            tx.upsert_reviews(shop.id, reviews)
            tx.upsert_returns(shop.id, returns)
        print(f"{len(orders):,} orders, {len(reviews):,} reviews, {len(returns):,} returns stored "
              f"in {time.perf_counter() - started:.1f} s (not timed)")  # fmt: skip
        del orders, reviews, returns

        started = time.perf_counter()
        with store.transaction() as tx:
            loaded = (len(tx.list_orders(shop.id)), len(tx.list_reviews(shop.id)),
                      len(tx.list_returns(shop.id)))  # fmt: skip
        baseline = time.perf_counter() - started
        print(f"baseline: read back as objects {loaded}: {baseline:.2f} s")

        services = Services(settings=load_settings(None, home=Path(home)), engine=engine)
        started = time.perf_counter()
        report = services.quality.report(shop, AS_OF)
        ours = time.perf_counter() - started
        print(
            f"saudager: QualityService.report (facts, history stored, sanctions, today): {ours:.2f} s"
        )
        started = time.perf_counter()
        services.quality.report(shop, AS_OF)
        again = time.perf_counter() - started
        print(f"saudager: the same again (history already stored): {again:.2f} s")
        print(f"ratio report / baseline: {ours / baseline:.2f}")
        for indicator, value in report.indicators.items():
            print(f"  {indicator!s:<22} {value.numerator:>9,} / {value.denominator:>9,}  "
                  f"{value.value!s:>7}  {value.status}")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
