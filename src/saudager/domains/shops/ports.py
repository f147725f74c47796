"""What the shops domain needs from storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from saudager.domains.shops.types import Shop, SyncRun


class ShopsTx(Protocol):
    """Shop records and sync runs, read and written inside one transaction."""

    def add_shop(
        self,
        name: str,
        timezone: str,
        api_url: str | None,
        token_ciphertext: bytes | None,
        requests_per_second: float | None = None,
    ) -> Shop:
        """Create a shop; raises ``SaudagerError`` when the name is taken."""
        ...

    def get_shop(self, shop_id: int) -> Shop:
        """Raises ``NotFoundError``."""
        ...

    def shop_by_name(self, name: str) -> Shop:
        """Raises ``NotFoundError``."""
        ...

    def list_shops(self) -> list[Shop]: ...

    def shop_token(self, shop_id: int) -> bytes | None:
        """The encrypted token, or ``None`` for a shop without one (import only)."""
        ...

    def set_shop_token(self, shop_id: int, token_ciphertext: bytes | None) -> None: ...

    def set_shop_timezone(self, shop_id: int, timezone: str) -> None:
        """Raises ``NotFoundError``; raises the shop's data revision (local days move)."""
        ...

    def data_revision(self, shop_id: int) -> int:
        """A number raised by every transaction that changes what the shop's reports read
        (orders and lines, reviews, returns, products, costs, ad spend, commission rates).

        Equal numbers mean equal data: a reader may keep what it computed at one revision until
        the number moves, whichever process wrote. One indexed read. Raises ``NotFoundError``.
        """
        ...

    def start_sync_run(self, shop_id: int, started_at: datetime) -> int: ...

    def finish_sync_run(
        self,
        run_id: int,
        finished_at: datetime,
        status: str,
        orders_seen: int,
        orders_written: int,
        error: str | None = None,
    ) -> None: ...

    def sync_runs(self, shop_id: int, limit: int = 10) -> list[SyncRun]:
        """Newest first."""
        ...
