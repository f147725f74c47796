"""A small shop whose every overview figure can be worked out by hand (``docs/dashboard.md``).

A plain module (like ``pg.py``), imported by the tests of the caches and of the overview.

The request is made on local day TODAY = 1 September 2025, 10:00 in Almaty (05:00 UTC). One SKU
at 1,000 ₸ a unit costing 600 ₸, a commission of 10 % set by the seller, tax 4 %, no delivery
charge, packaging and other costs 0: each unit sold and kept earns 1000 − 600 − 100 − 40 =
260 ₸. Orders (local creation time, units), chosen on the edges of the 7- and 30-day periods
ending yesterday and of the periods before them:

====  ==================  =====  =====================================================
code  created (local)     units  what it is
====  ==================  =====  =====================================================
J     2 Jul 23:59         512    the day before the 30-day period before: in no period
I     3 Jul 00:00         256    first day of the 30 days before
H     1 Aug 23:59         128    last day of the 30 days before
G     2 Aug 00:00          64    first day of the last 30 days
F     17 Aug 23:59         32    last 30 days, the day before the 7 days before
E     18 Aug 00:00         16    first day of the 7 days before
D     24 Aug 23:59:59       8    last day of the 7 days before
C     25 Aug 00:00          4    first day of the last 7 days
M     27 Aug 12:00          2    one unit returned for quality on 29 Aug: 1 unit kept
K     28 Aug 12:00          3    cancelled by the seller (out of stock): nothing sold
A     31 Aug 23:59          1    last day of the last 7 days (yesterday)
B1    1 Sep 00:00           1    today: in no sales period; Kaspi Delivery, hand over today 16:00
B2    1 Sep 08:00           1    today: hand over by 2 Sep 09:00 (warned, but not due today)
B3    1 Sep 00:30           1    today: handover was due 1 Sep 08:00, not done (late)
====  ==================  =====  =====================================================

Sales (revenue, profit in ₸):

- last 7 days, 25–31 Aug: C 4 + M 1 + A 1 = 6 units → 6,000, 1,560;
- the 7 days before, 18–24 Aug: E 16 + D 8 = 24 units → 24,000, 6,240;
- last 30 days, 2–31 Aug: G, F, E, D, C, M, K, A = 64+32+16+8+4+1+0+1 = 126 units → 126,000,
  32,760;
- the 30 days before, 3 Jul – 1 Aug: I 256 + H 128 = 384 units → 384,000, 99,840.

Quality on 1 September (windows of whole local days ending with it):

- seller cancellations, 3 Aug – 1 Sep: 10 orders (F, E, D, C, M, K, A, B1, B2, B3), 1 cancelled
  by the seller (K) → 10.00 %, critical (≥ 3 %), enough data (≥ 10 orders);
- quality returns, completed orders 3 Aug – 1 Sep (each completed an hour after its creation):
  F, E, D, C, M, A = 6; orders with a quality return: M → 16.67 %, critical (≥ 2 %);
- late handovers: nothing handed over through Kaspi Delivery → no value, ok;
- rating, 90 days: reviews of 5, 5 and 4 stars → 14 / 3 = 4.67, ok (good from 4.6).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from saudager.adapters.db.store import SqlStore
from saudager.domains.analytics.records import CommissionRate
from saudager.domains.analytics.rules import AnalyticsRules
from saudager.domains.catalog.types import Product, ProductCost
from saudager.domains.orders.types import (
    Order,
    OrderLine,
    OrderState,
    OrderStatus,
    Return,
    ReturnReason,
    Review,
    return_key,
)
from saudager.domains.quality.alerts import AlertRules, Language
from saudager.domains.quality.eligibility import DEFAULT_JUMA_CALENDAR
from saudager.domains.quality.sanctions import SanctionRules
from saudager.domains.quality.service import GuardRules
from saudager.domains.quality.types import QualityRules
from saudager.domains.quality.warnings import WarningRules
from saudager.domains.shops.types import Shop

TZ = "Asia/Almaty"
ALMATY = ZoneInfo(TZ)
TODAY = date(2025, 9, 1)
NOW = datetime(2025, 9, 1, 10, 0, tzinfo=ALMATY).astimezone(UTC)
SKU = "SKU-1"
UNIT_PRICE = Decimal("1000")
UNIT_COST = Decimal("600")
#: Packaging and other costs 0, so that a profit is known; everything else the defaults.
ANALYTICS_RULES = AnalyticsRules(packaging_per_order_tiyn=0)
COMMISSION = CommissionRate("*", "*", date(2025, 1, 1), 1000, "seller")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY).astimezone(UTC)  # type: ignore[misc]


def guard_rules(
    zhuma_calendar: tuple[tuple[date, date], ...] = tuple(
        (w.start, w.end) for w in DEFAULT_JUMA_CALENDAR
    ),
) -> GuardRules:
    return GuardRules(
        quality=QualityRules(),
        sanctions=SanctionRules(),
        warnings=WarningRules(),
        alerts=AlertRules(),
        language=Language.RU,
        zhuma_calendar=zhuma_calendar,
    )


def sold(code: str, created: datetime, units: int, **changes: object) -> Order:
    """A completed order of ``units`` units (own delivery), completed an hour after creation."""
    fields: dict[str, object] = {
        "code": code,
        "created_at": created,
        "state": OrderState.ARCHIVE,
        "status": OrderStatus.COMPLETED,
        "total_price": UNIT_PRICE * units,
        "completed_at": created + timedelta(hours=1),
        "delivery_cost_for_seller": Decimal("0"),
        "payment_mode": "PREPAID",
        "lines": (
            OrderLine(
                line_no=1,
                sku=SKU,
                quantity=units,
                unit_price=UNIT_PRICE,
                total_price=UNIT_PRICE * units,
            ),
        ),
    }
    fields.update(changes)
    return Order(**fields)  # type: ignore[arg-type]


def to_hand_over(code: str, created: datetime, deadline: datetime) -> Order:
    """An accepted Kaspi Delivery order not yet handed over."""
    return sold(
        code,
        created,
        1,
        state=OrderState.KASPI_DELIVERY,
        status=OrderStatus.ACCEPTED_BY_MERCHANT,
        completed_at=None,
        is_kaspi_delivery=True,
        handover_deadline=deadline,
    )


ORDERS = (
    sold("J", local(2025, 7, 2, 23, 59), 512),
    sold("I", local(2025, 7, 3, 0, 0), 256),
    sold("H", local(2025, 8, 1, 23, 59), 128),
    sold("G", local(2025, 8, 2, 0, 0), 64),
    sold("F", local(2025, 8, 17, 23, 59), 32),
    sold("E", local(2025, 8, 18, 0, 0), 16),
    sold("D", local(2025, 8, 24, 23, 59, 59), 8),
    sold("C", local(2025, 8, 25, 0, 0), 4),
    sold("M", local(2025, 8, 27, 12, 0), 2),
    sold(
        "K",
        local(2025, 8, 28, 12, 0),
        3,
        status=OrderStatus.CANCELLED,
        completed_at=None,
        cancelled_at=local(2025, 8, 28, 13, 0),
        cancellation_reason="MERCHANT_OUT_OF_STOCK",
        cancelled_by="seller",
    ),
    sold("A", local(2025, 8, 31, 23, 59), 1),
    to_hand_over("B1", local(2025, 9, 1, 0, 0), local(2025, 9, 1, 16, 0)),
    to_hand_over("B2", local(2025, 9, 1, 8, 0), local(2025, 9, 2, 9, 0)),
    to_hand_over("B3", local(2025, 9, 1, 0, 30), local(2025, 9, 1, 8, 0)),
)

RETURNS = (
    Return(
        key=return_key("M", SKU),
        order_code="M",
        sku=SKU,
        quantity=1,
        reason=ReturnReason.QUALITY,
        created_at=local(2025, 8, 29, 12, 0),
    ),
)

REVIEWS = tuple(
    Review(
        key=f"review-{code}",
        rating=stars,
        created_at=local(2025, 8, day, 12, 0),
        approved_at=local(2025, 8, day + 1, 12, 0),
        order_code=code,
    )
    for code, stars, day in (("C", 5, 26), ("D", 5, 25), ("A", 4, 30))
)


def add_small_shop(store: SqlStore, name: str = "small") -> Shop:
    """The shop above, written through the store."""
    with store.transaction() as tx:
        shop = tx.add_shop(name, TZ, None, None)
        tx.upsert_products(shop.id, [Product(sku=SKU, name="Чайник")])
        tx.add_product_costs(shop.id, [ProductCost(SKU, date(2025, 1, 1), UNIT_COST)])
        tx.set_commission_rate(shop.id, COMMISSION)
        tx.upsert_orders(shop.id, ORDERS)
        tx.upsert_returns(shop.id, RETURNS)
        tx.upsert_reviews(shop.id, REVIEWS)
    return shop
