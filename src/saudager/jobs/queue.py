"""The job queue. Built by a factory from settings, never at import time.

The periodic sync runs every ``sync_interval_minutes``, the outbox dispatcher every minute
(``saudager.jobs.dispatch``); ``saudager worker`` runs the consumer (worker threads plus the
scheduler). Which storage Huey uses is the ``jobs_backend`` setting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab

from saudager.core.errors import SaudagerError
from saudager.domains.shops.types import Shop
from saudager.jobs.dispatch import register_dispatch
from saudager.settings import Settings
from saudager.wiring import Services, build_services

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobQueue:
    """The Huey instance and the tasks registered on it."""

    huey: Huey
    sync_shop: Any  # huey TaskWrapper: call it to enqueue, .call_local to run here
    sync_all_shops: Any
    dispatch_messages: Any = None  # the outbox dispatcher (saudager.jobs.dispatch)


def make_queue(settings: Settings) -> JobQueue:
    """A Huey instance for the configured backend, with Saudager's tasks registered on it."""
    name = "saudager"
    huey: Huey
    if settings.jobs_backend == "redis":
        huey = RedisHuey(name, url=settings.redis_url)
    elif settings.jobs_backend == "memory":
        huey = MemoryHuey(name, immediate=True)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(name, filename=str(settings.home / "jobs.db"))
    return _register_tasks(huey, settings)


def sync_shop_now(settings: Settings, shop_name: str) -> dict[str, Any]:
    """Sync one shop; the body of the job, also callable directly."""
    services = build_services(settings)
    try:
        shop = services.shop(shop_name)
        with services.kaspi_client(shop) as client:
            result = services.sync.sync(shop, client, datetime.now(UTC))
        alerts = check_alerts_now(services, shop)
        planned = plan_messages_now(services, shop)
        return {
            "shop": shop.name,
            "orders_seen": result.orders_seen,
            "orders_written": result.orders_written,
            "alerts_sent": alerts,
            "messages_planned": planned,
        }
    finally:
        services.close()


def plan_messages_now(services: Services, shop: Shop) -> int:
    """After a sync, when buyer messaging is on: queue the messages the new and delivered
    orders call for (the dispatcher sends them). A failure here never fails the sync."""
    if not services.settings.messaging.enabled:
        return 0
    try:
        return len(services.planning.plan_shop(shop))
    except SaudagerError as exc:
        log.error("planning the messages of shop %s failed: %s", shop.name, exc)
        return 0


def check_alerts_now(services: Services, shop: Shop) -> int:
    """After a sync: tell the seller what changed. A failure here never fails the sync."""
    notifier = services.notifier()
    try:
        return len(services.quality.check_alerts(shop, datetime.now(UTC), notifier))
    except SaudagerError as exc:
        log.error("quality alerts of shop %s failed: %s", shop.name, exc)
        return 0
    finally:
        close = getattr(notifier, "close", None)
        if callable(close):
            close()


def sync_all_shops(settings: Settings) -> list[dict[str, Any]]:
    """Sync every shop that has a token; one shop's failure does not stop the others."""
    services = build_services(settings)
    try:
        with services.store.transaction() as tx:
            shops = [shop for shop in tx.list_shops() if shop.has_token]
    finally:
        services.close()
    results: list[dict[str, Any]] = []
    for shop in shops:
        try:
            results.append(sync_shop_now(settings, shop.name))
        except SaudagerError as exc:
            log.error("sync of shop %s failed: %s", shop.name, exc)
            results.append({"shop": shop.name, "error": str(exc)})
    return results


def _register_tasks(huey: Huey, settings: Settings) -> JobQueue:
    minutes = settings.sync_interval_minutes

    @huey.task(name="sync_shop", retries=2, retry_delay=60)  # type: ignore[untyped-decorator]
    def sync_shop(shop_name: str) -> dict[str, Any]:
        return sync_shop_now(settings, shop_name)

    @huey.periodic_task(crontab(minute=f"*/{minutes}"), name="sync_all_shops")  # type: ignore[untyped-decorator]
    def periodic_sync() -> list[dict[str, Any]]:
        return sync_all_shops(settings)

    return JobQueue(
        huey=huey,
        sync_shop=sync_shop,
        sync_all_shops=periodic_sync,
        dispatch_messages=register_dispatch(huey, settings),
    )
