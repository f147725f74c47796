"""Order sync: where the Kaspi source, the store and the sync plan meet.

Idempotent (orders are upserted by code and unchanged ones are not touched) and resumable: each
page is written in its own transaction and each finished window moves the state's watermark, so
a killed sync loses at most the window it was reading, which the next run reads again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from saudager.core.errors import SaudagerError
from saudager.core.timewindows import Window
from saudager.domains.catalog.types import Product
from saudager.domains.orders.ports import KaspiSource, Store
from saudager.domains.orders.sync import StateScan, SyncPolicy, plan_scans
from saudager.domains.orders.types import Order, OrderBatch, OrderLine
from saudager.domains.shops.types import Shop

log = logging.getLogger(__name__)


@dataclass(slots=True)
class SyncProgress:
    """Running totals, handed to the progress callback after every page."""

    windows_total: int = 0
    windows_done: int = 0
    state: str = ""
    orders_seen: int = 0
    orders_written: int = 0
    returns_written: int = 0
    products_written: int = 0
    refetched: int = 0
    reviews_seen: int = 0
    reviews_written: int = 0
    reviews_deleted: int = 0
    seen_codes: set[str] = field(default_factory=set)


ProgressCallback = Callable[[SyncProgress], None]


@dataclass(frozen=True, slots=True)
class SyncResult:
    run_id: int
    orders_seen: int
    orders_written: int
    returns_written: int
    products_written: int
    refetched: int
    reviews_seen: int
    reviews_written: int
    reviews_deleted: int


class SyncService:
    def __init__(
        self,
        store: Store,
        policy: SyncPolicy,
        review_window: timedelta,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._store = store
        self._policy = policy
        self._review_window = review_window
        # Only to stamp when a run finished; what is read is decided by ``now`` alone.
        self._clock = clock

    def sync(
        self,
        shop: Shop,
        source: KaspiSource,
        now: datetime,
        on_progress: ProgressCallback | None = None,
    ) -> SyncResult:
        notify = on_progress or (lambda _progress: None)
        with self._store.transaction() as tx:
            for run in tx.sync_runs(shop.id, limit=20):
                if run.status == "running":
                    # A run that never finished was killed: say so rather than leave it running.
                    tx.finish_sync_run(
                        run.id, now, "interrupted", run.orders_seen, run.orders_written
                    )
            run_id = tx.start_sync_run(shop.id, now)
            watermarks = tx.sync_watermarks(shop.id)
            oldest_active = tx.oldest_active_created_at(shop.id)
        progress = SyncProgress()
        try:
            scans = plan_scans(now, watermarks, oldest_active, self._policy)
            progress.windows_total = sum(len(scan.windows) for scan in scans)
            known_skus: set[str] = set()
            for scan in scans:
                self._scan_state(shop, source, scan, progress, known_skus, notify)
            self._refetch_active(shop, source, progress, known_skus, notify)
            self._sync_reviews(shop, source, now, progress)
        except BaseException as exc:
            with self._store.transaction() as tx:
                tx.finish_sync_run(
                    run_id,
                    self._finished(now),
                    "failed",
                    progress.orders_seen,
                    progress.orders_written,
                    error=str(exc) if isinstance(exc, SaudagerError) else type(exc).__name__,
                )
            raise
        with self._store.transaction() as tx:
            tx.finish_sync_run(
                run_id,
                self._finished(now),
                "succeeded",
                progress.orders_seen,
                progress.orders_written,
            )
        notify(progress)
        return SyncResult(
            run_id=run_id,
            orders_seen=progress.orders_seen,
            orders_written=progress.orders_written,
            returns_written=progress.returns_written,
            products_written=progress.products_written,
            refetched=progress.refetched,
            reviews_seen=progress.reviews_seen,
            reviews_written=progress.reviews_written,
            reviews_deleted=progress.reviews_deleted,
        )

    def _finished(self, now: datetime) -> datetime:
        return max(now, self._clock()) if self._clock is not None else now

    def _scan_state(
        self,
        shop: Shop,
        source: KaspiSource,
        scan: StateScan,
        progress: SyncProgress,
        known_skus: set[str],
        notify: ProgressCallback,
    ) -> None:
        progress.state = scan.state
        for window in scan.windows:
            # Kaspi's $le is inclusive: stop one millisecond short of the next window.
            last = window.last_instant
            for batch in source.iter_orders(scan.state, window.start, last):
                self._write_batch(shop, source, batch, progress, known_skus)
                notify(progress)
            with self._store.transaction() as tx:
                tx.set_sync_watermark(shop.id, scan.state, window.end)
            progress.windows_done += 1
            notify(progress)

    def _write_batch(
        self,
        shop: Shop,
        source: KaspiSource,
        batch: OrderBatch,
        progress: SyncProgress,
        known_skus: set[str],
    ) -> None:
        new_products = self._discover_products(shop, source, batch.orders, known_skus)
        with self._store.transaction() as tx:
            if new_products:
                progress.products_written += tx.upsert_products(shop.id, new_products)
            progress.orders_written += tx.upsert_orders(shop.id, batch.orders)
            if batch.returns:
                progress.returns_written += tx.upsert_returns(shop.id, batch.returns)
        progress.orders_seen += len(batch.orders)
        progress.seen_codes.update(order.code for order in batch.orders)

    def _discover_products(
        self, shop: Shop, source: KaspiSource, orders: list[Order], known_skus: set[str]
    ) -> list[Product]:
        """Products for SKUs met for the first time: one card look-up per new SKU, ever."""
        first_lines: dict[str, tuple[Order, OrderLine]] = {}
        for order in orders:
            for line in order.lines:
                if line.sku not in known_skus:
                    first_lines.setdefault(line.sku, (order, line))
        if not first_lines:
            return []
        with self._store.transaction() as tx:
            stored = tx.existing_skus(shop.id, list(first_lines))
        known_skus.update(stored)
        products: list[Product] = []
        for sku, (order, line) in first_lines.items():
            if sku in stored:
                continue
            product = source.product_for_line(order, line) or Product(
                sku=sku, name=line.product_name or sku, category=line.category
            )
            products.append(product)
            known_skus.add(sku)
        return products

    def _refetch_active(
        self,
        shop: Shop,
        source: KaspiSource,
        progress: SyncProgress,
        known_skus: set[str],
        notify: ProgressCallback,
    ) -> None:
        """Orders we hold as still moving but did not meet in this sync's windows."""
        with self._store.transaction() as tx:
            pending = [c for c in tx.active_order_codes(shop.id) if c not in progress.seen_codes]
        progress.state = "active"
        for code in pending:
            batch = source.order_by_code(code)
            if batch.orders:
                self._write_batch(shop, source, batch, progress, known_skus)
            else:
                log.warning("order %s is no longer listed by Kaspi", code)
            progress.refetched += 1
            notify(progress)

    def _sync_reviews(
        self, shop: Shop, source: KaspiSource, now: datetime, progress: SyncProgress
    ) -> None:
        window = Window(now - self._review_window, now)
        reviews = source.reviews(window.start, window.last_instant)
        if reviews is None:
            return
        progress.reviews_seen = len(reviews)
        with self._store.transaction() as tx:
            progress.reviews_written = tx.upsert_reviews(shop.id, reviews)
            # A review Kaspi no longer lists was deleted by its author.
            present = {review.key for review in reviews}
            stored = tx.review_keys_approved_between(shop.id, window.start, window.end)
            gone = sorted(stored - present)
            if gone:
                progress.reviews_deleted = tx.mark_reviews_deleted(shop.id, gone, now)
