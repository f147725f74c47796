"""One running simulation: the generated shop, its world, the fault plan, the token."""

from __future__ import annotations

from datetime import datetime

from saudager.adapters.kaspi.simulator.catalog import Product
from saudager.adapters.kaspi.simulator.commands import StatusChanger
from saudager.adapters.kaspi.simulator.faults import FaultPlan
from saudager.adapters.kaspi.simulator.generator import Shop, SimConfig, generate_shop
from saudager.adapters.kaspi.simulator.payloads import Renderer
from saudager.adapters.kaspi.simulator.reviews import ReviewPlan
from saudager.adapters.kaspi.simulator.world import SimWorld
from saudager.core.timewindows import to_epoch_ms


class Simulation:
    def __init__(self, shop: Shop, token: str, now_ms: int, faults: FaultPlan) -> None:
        if not token:
            raise ValueError("the simulator needs a non-empty API token")
        self.shop = shop
        self.token = token
        self.world = SimWorld(shop, now_ms)
        self.changer = StatusChanger(self.world)
        self.faults = faults
        products = shop.catalog.products
        self.products_by_card_code: dict[str, Product] = {p.kaspi_code: p for p in products}
        self.products_by_offer_code: dict[str, Product] = {p.offer_code: p for p in products}
        self.reviews_by_id: dict[str, ReviewPlan] = {r.kaspi_id: r for r in shop.reviews}
        self.review_by_order: dict[int, ReviewPlan] = {r.order_index: r for r in shop.reviews}
        self._renderers: dict[str, Renderer] = {}

    @classmethod
    def build(
        cls,
        config: SimConfig,
        token: str,
        now: datetime | None = None,
        fault_rate: float = 0.0,
        *,
        shop: Shop | None = None,
        fault_timeout_seconds: float = 35.0,
    ) -> Simulation:
        """Generate the shop (unless given) and start the clock at ``now`` (default: its end)."""
        shop = shop if shop is not None else generate_shop(config)
        now_ms = to_epoch_ms(now if now is not None else config.end)
        faults = FaultPlan(fault_rate, seed=config.seed, timeout_seconds=fault_timeout_seconds)
        return cls(shop, token, now_ms, faults)

    def renderer(self, api_root: str) -> Renderer:
        """One renderer per address the API is reached at (links are absolute)."""
        renderer = self._renderers.get(api_root)
        if renderer is None:
            renderer = self._renderers[api_root] = Renderer(self.world, api_root)
        return renderer
