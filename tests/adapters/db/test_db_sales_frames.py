"""The sales frames read from the store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from saudager.adapters.db.store import SqlStore
from saudager.domains.analytics.lines import prepare_lines, prepare_returns
from saudager.domains.analytics.records import AdSpend, CommissionRate
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import Order, OrderLine, Return


def test_sales_frames_carry_exact_tiyn_local_days_and_statuses(
    store: SqlStore, shop_id: int
) -> None:
    # 23:30 local on 1 March (18:30 UTC): the sale belongs to 1 March, not 2 March.
    created = datetime(2026, 3, 1, 18, 30, tzinfo=UTC)
    lines = (
        OrderLine(1, "KETTLE", 2, Decimal("14990.50"), Decimal("29981.00"), "Чайник", "Чайники"),
        OrderLine(2, "MUG", 1, Decimal("1350"), Decimal("1350")),
    )
    order = Order(code="1", created_at=created, state="ARCHIVE", status="RETURNED",
                  total_price=Decimal("31331.00"), payment_mode="PAY_WITH_CREDIT",
                  is_kaspi_delivery=True, delivery_cost_for_seller=Decimal("895"), lines=lines)  # fmt: skip
    with store.transaction() as tx:
        tx.upsert_products(
            shop_id, [Product("MUG", "Кружка", "Посуда", weight_kg=Decimal("0.350"), stock=12)]
        )
        tx.add_product_costs(shop_id, [ProductCost("KETTLE", date(2026, 1, 1), Decimal("9000.25"))])
        tx.upsert_orders(shop_id, [order])
        tx.upsert_returns(shop_id, [Return("1/MUG", "1", "MUG", 1, "quality", created)])
        tx.add_ad_spend(shop_id, [AdSpend(date(2026, 3, 1), Decimal("1000"), sku="KETTLE"),
                                  AdSpend(date(2026, 3, 1), Decimal("500"), campaign="Весна")])  # fmt: skip
        tx.set_commission_rate(
            shop_id, CommissionRate("Чайники", "*", date(2026, 1, 1), 1200, "seller")
        )
        frames = tx.sales_frames(shop_id)
    sales = prepare_lines(frames.lines, "Asia/Almaty").sort("line_no")
    assert sales["sale_day"].to_list() == [date(2026, 3, 1)] * 2
    assert sales["sale_status"].to_list() == ["returned"] * 2
    assert sales["unit_price_tiyn"].to_list() == [1_499_050, 135_000]
    assert sales["line_total_tiyn"].to_list() == [2_998_100, 135_000]
    assert sales["order_delivery_cost_tiyn"].to_list() == [89_500, 89_500]
    assert sales["product_name"].to_list() == ["Чайник", "Кружка"]  # the line's, else the product's
    assert sales["category"].to_list() == ["Чайники", "Посуда"]
    assert sales["weight_g"].to_list() == [None, 350]
    returns = prepare_returns(frames.returns, "Asia/Almaty")
    assert returns.row(0, named=True)["return_day"] == date(2026, 3, 1)
    assert frames.costs["purchase_cost_tiyn"].to_list() == [900_025]
    assert sorted(frames.ad_spend["amount_tiyn"].to_list()) == [50_000, 100_000]
    assert frames.ad_spend.filter(frames.ad_spend["campaign"] == "Весна")["sku"].to_list() == [None]
    assert frames.commission_rates["rate_bp"].to_list() == [1200]
    assert dict(frames.stock.iter_rows()) == {"MUG": 12}
