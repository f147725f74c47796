"""A Rich progress bar over a sync: windows read, orders read and written."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from saudager.cli.output import console
from saudager.domains.orders.ports import KaspiSource
from saudager.domains.orders.service import SyncProgress, SyncResult
from saudager.domains.shops.types import Shop
from saudager.wiring import Services


def sync_with_progress(services: Services, shop: Shop, client: KaspiSource) -> SyncResult:
    with Progress(
        TextColumn("[bold]{task.fields[state]:<14}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} windows"),
        TextColumn("read {task.fields[seen]} · written {task.fields[written]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("sync", total=None, state="", seen=0, written=0)

        def on_progress(progress: SyncProgress) -> None:
            bar.update(
                task,
                total=progress.windows_total or None,
                completed=progress.windows_done,
                state=progress.state,
                seen=progress.orders_seen,
                written=progress.orders_written,
            )

        return services.sync.sync(shop, client, datetime.now(UTC), on_progress)
