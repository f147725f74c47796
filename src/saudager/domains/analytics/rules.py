"""Every choice the sales reports make, as settings with documented defaults.

Money is integer tiyn, rates are basis points (1 % = 100 bp). ``None`` means "not set": the cost it
stands for is shown as missing rather than taken as zero (see ``docs/analytics.md``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class RevenueDate(StrEnum):
    """Which day a sale's revenue belongs to."""

    SALE_DAY = "sale_day"  # the order's creation, local day (default)


@dataclass(frozen=True, slots=True)
class DeliveryBand:
    """One band of a delivery tariff: applies to an order whose total weight and total price are
    at most the bounds (``None``: no bound). An order with an unknown weight only matches bands
    without a weight bound."""

    cost_tiyn: int
    max_weight_g: int | None = None
    max_order_total_tiyn: int | None = None


#: Assumed bands, NOT taken from Kaspi: Kaspi sends ``deliveryCostForSeller`` per order, which
#: always wins; the tariff only fills orders where it is missing. Set your own in settings.
ASSUMED_DELIVERY_BANDS: tuple[DeliveryBand, ...] = (
    DeliveryBand(cost_tiyn=99_900, max_weight_g=5_000),  # ≤ 5 kg: 999 ₸
    DeliveryBand(cost_tiyn=199_900, max_weight_g=15_000),  # ≤ 15 kg: 1 999 ₸
    DeliveryBand(cost_tiyn=499_900, max_weight_g=None),  # heavier or unknown: 4 999 ₸
)


@dataclass(frozen=True, slots=True)
class DeliveryTariff:
    """Bands tried in order; the first that fits gives the order's delivery cost."""

    bands: tuple[DeliveryBand, ...] = ASSUMED_DELIVERY_BANDS
    source: str = "assumed (not Kaspi's tariff): set your own"

    def cost_for(self, weight_g: int | None, order_total_tiyn: int | None) -> int | None:
        for band in self.bands:
            if band.max_weight_g is not None and (weight_g is None or weight_g > band.max_weight_g):
                continue
            if band.max_order_total_tiyn is not None and (
                order_total_tiyn is None or order_total_tiyn > band.max_order_total_tiyn
            ):
                continue
            return band.cost_tiyn
        return None


@dataclass(frozen=True, slots=True)
class AnalyticsRules:
    """Settings of the sales reports (defaults and sources: ``docs/analytics.md``)."""

    #: Simplified declaration regime (СНР на основе упрощённой декларации), 2026: 4 % of income
    #: (Tax Code of 18 July 2025 No. 214-VIII; maslikhats may move it by ±50 %, i.e. 2–6 %).
    tax_bp: int = 400
    #: Packaging per order. ``None``: not set — shown as missing (profit unknown), never 0.
    packaging_per_order_tiyn: int | None = None
    #: Any other cost per order (labels, packer's pay per order...). 0 is a known zero.
    other_per_order_tiyn: int = 0
    revenue_date: RevenueDate = RevenueDate.SALE_DAY
    delivery_tariff: DeliveryTariff = field(default_factory=DeliveryTariff)
    #: ABC: cumulative revenue share up to which a product is A, then B; the rest is C.
    abc_a_upto: Decimal = Decimal("0.80")
    abc_b_upto: Decimal = Decimal("0.95")
    #: XYZ: coefficient of variation of demand up to which a product is X, then Y; above is Z.
    xyz_x_upto: Decimal = Decimal("0.10")
    xyz_y_upto: Decimal = Decimal("0.25")
    #: Kaspi Жұма: added to the commission during the campaign, and the instalment fee on sales in
    #: 0-0-24 instalments. Kaspi publishes neither on its Guide pages we could read: ``None`` means
    #: "not set" and the Жұма variant of unit economics is not computed. Set them from Kaspi Pay.
    juma_commission_uplift_bp: int | None = None
    juma_instalment_fee_bp: int | None = None
    #: Expected demand during Жұма as a multiple of usual demand (DOMAIN.md §4: up to 5×).
    juma_demand_uplift: Decimal = Decimal("3")
    #: Orders one packer assembles a day (DOMAIN.md §4: 100–300).
    orders_per_packer_per_day: int = 150

    def __post_init__(self) -> None:
        if not 0 <= self.tax_bp < 10_000:
            raise ValueError("tax_bp must be in [0, 10000)")
        if not Decimal(0) < self.abc_a_upto < self.abc_b_upto <= Decimal(1):
            raise ValueError("ABC boundaries must satisfy 0 < A < B <= 1")
        if not Decimal(0) <= self.xyz_x_upto < self.xyz_y_upto:
            raise ValueError("XYZ boundaries must satisfy 0 <= X < Y")
        if self.orders_per_packer_per_day <= 0:
            raise ValueError("orders_per_packer_per_day must be positive")
