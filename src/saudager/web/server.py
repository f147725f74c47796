"""Run the web app with Uvicorn."""

from __future__ import annotations

import gc
import logging
import threading

import uvicorn

from saudager.core.revcache import freeze_built_values
from saudager.settings import Settings
from saudager.web.app import create_app
from saudager.wiring import Services, build_services

log = logging.getLogger(__name__)


def warm_up(services: Services) -> None:
    """Read and compute the overview of as many shops as the cache keeps, the most recently
    synced first, so that the first visitor of a big shop does not wait for its data to be
    read from the database (seconds for a million orders). Runs beside the server; a request
    arriving meanwhile waits for the same build instead of starting its own."""
    rows = services.shops.overview()
    recent = sorted(
        rows,
        key=lambda row: row.last_sync.started_at.timestamp() if row.last_sync else 0.0,
        reverse=True,
    )
    for row in recent[: services.settings.cache.shops]:
        try:
            services.dashboard.overview(row.shop)
        except Exception:  # a shop that cannot be computed must not stop the others
            log.exception("warming up shop %s failed", row.shop.id)


def run_web(
    settings: Settings, host: str, port: int, *, demo_login: tuple[str, str] | None = None
) -> None:
    """``demo_login``: the demo user's name and password, logged in for every visitor."""
    services = build_services(settings)
    # Everything loaded so far (modules, settings) lives as long as the process; so do the
    # values the caches build (docs/decisions.md, "Full collections in the web server").
    gc.freeze()
    freeze_built_values()
    try:
        app = create_app(services, demo_login=demo_login)
        threading.Thread(target=warm_up, args=(services,), name="warm-up", daemon=True).start()
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        services.close()
