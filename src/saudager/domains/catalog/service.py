"""The catalog as the dashboard and the API use it: every SKU with its unit economics, and the
purchase cost a seller sets by hand (the other way in is the products file, see imports)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from saudager.core.errors import NotFoundError
from saudager.domains.analytics.report_views import DEFAULT_TARGET_MARGIN
from saudager.domains.analytics.service import AnalyticsService
from saudager.domains.catalog import logic
from saudager.domains.catalog.errors import CostInputError
from saudager.domains.catalog.types import ProductCost, ProductsView
from saudager.domains.orders.ports import Store
from saudager.domains.shops.types import Shop

#: The window whose sales give each SKU's price and per-unit costs (as ``per_sku``'s default).
ECONOMICS_DAYS = 30


class CatalogService:
    def __init__(self, store: Store, analytics: AnalyticsService) -> None:
        self._store = store
        self._analytics = analytics

    def products(
        self, shop: Shop, as_of: date, target_margin: Decimal = DEFAULT_TARGET_MARGIN
    ) -> ProductsView:
        """Every SKU of the catalog and of the sales, with its unit economics over the
        ``ECONOMICS_DAYS`` local days ending with ``as_of``. Kept while the shop's data is
        unchanged."""
        return self._analytics.derived(
            shop, ("products", as_of, target_margin),
            lambda: self._products(shop, as_of, target_margin),
        )  # fmt: skip

    def _products(self, shop: Shop, as_of: date, target_margin: Decimal) -> ProductsView:
        with self._store.reading() as tx:
            products = tx.list_products(shop.id)
            costs = tx.product_costs(shop.id)
        sales = self._analytics.sales(shop)
        economics = self._analytics.unit_economics(sales, as_of, target_margin)
        sold = logic.sold_products(sales.lines)
        return ProductsView(
            as_of=as_of,
            first_day=as_of - timedelta(days=ECONOMICS_DAYS - 1),
            target_margin=target_margin,
            rows=logic.product_rows(products, costs, economics, sold, as_of),
            last_sale_day=max((s.last_sale_day for s in sold.values()), default=None),
        )

    def set_purchase_cost(
        self, shop: Shop, sku: str, cost: Decimal, effective_from: date
    ) -> ProductCost:
        """Store what one unit of ``sku`` costs from ``effective_from`` on (earlier days keep
        their cost; the same day's cost is replaced). Raises ``CostInputError`` for a bad
        amount and ``NotFoundError`` for a SKU the shop neither lists nor sold."""
        problem = logic.cost_problem(cost)
        if problem is not None:
            raise CostInputError((problem,))
        self._known_sku(shop, sku)
        entry = ProductCost(sku, effective_from, cost.quantize(Decimal("0.01")))
        with self._store.transaction() as tx:
            tx.add_product_costs(shop.id, [entry])
        return entry

    def set_purchase_cost_text(
        self, shop: Shop, sku: str, cost: str, effective_from: str, today: date
    ) -> ProductCost:
        """``set_purchase_cost`` from a form's text (an empty day: ``today``)."""
        amount, day = logic.read_cost_input(cost, effective_from, today)
        return self.set_purchase_cost(shop, sku, amount, day)

    def _known_sku(self, shop: Shop, sku: str) -> None:
        with self._store.transaction() as tx:
            if tx.existing_skus(shop.id, [sku]):
                return
        lines = self._analytics.sales(shop).lines
        if not lines.is_empty() and sku in set(lines["sku"].unique().to_list()):
            return
        raise NotFoundError(f"shop '{shop.name}' has no product {sku!r}")
