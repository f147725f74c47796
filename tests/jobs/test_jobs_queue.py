"""The sync job on Huey: embedded SQLite storage by default, Redis by a setting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig, running_simulator
from saudager.jobs.queue import make_queue
from saudager.settings import Settings, load_settings
from saudager.wiring import build_services

TOKEN = "jobs-test-token"


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    end = datetime.now(UTC)
    config = SimConfig(seed=5, start=end - timedelta(days=20), end=end, orders_per_day=40.0,
                       sku_count=20)  # fmt: skip
    with running_simulator(config, TOKEN, now=end) as running:
        yield running


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    return load_settings(None, home=tmp_path, kaspi_requests_per_second=1000.0, **overrides)


def _add_shop(settings: Settings, sim: RunningSimulator) -> None:
    services = build_services(settings)
    try:
        services.add_shop("sim", TOKEN, sim.base_url, None)
    finally:
        services.close()


def _orders(settings: Settings) -> int:
    services = build_services(settings)
    try:
        [row] = services.shops.overview()
        return row.orders
    finally:
        services.close()


def test_the_job_queued_in_sqlite_syncs_the_shop(tmp_path: Path, sim: RunningSimulator) -> None:
    settings = _settings(tmp_path)
    _add_shop(settings, sim)
    queue = make_queue(settings)
    queue.sync_shop("sim")
    assert (tmp_path / "jobs.db").exists()
    assert queue.huey.pending_count() == 1
    # What a worker does: take the task from storage and run it.
    result = queue.huey.execute(queue.huey.dequeue())
    assert result["orders_written"] == result["orders_seen"] > 0
    assert _orders(settings) == result["orders_seen"]


def test_the_periodic_job_syncs_every_shop_with_a_token(
    tmp_path: Path, sim: RunningSimulator
) -> None:
    settings = _settings(tmp_path, jobs_backend="memory")
    _add_shop(settings, sim)
    services = build_services(settings)
    services.add_shop("files-only", None, None, None)
    services.close()
    queue = make_queue(settings)
    periodic = [task.name for task in queue.huey._registry.periodic_tasks]
    assert "sync_all_shops" in periodic
    [result] = queue.sync_all_shops.call_local()
    assert result["shop"] == "sim" and result["orders_seen"] > 0


def test_redis_is_only_a_setting(tmp_path: Path) -> None:
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at 127.0.0.1:6379 ({exc})")
    queue = make_queue(
        _settings(tmp_path, jobs_backend="redis", redis_url="redis://127.0.0.1:6379/15")
    )
    queue.huey.flush()
    queue.sync_shop("some-shop")
    assert queue.huey.pending_count() == 1
    task = queue.huey.dequeue()
    assert task.name == "sync_shop" and task.args == ("some-shop",)
    queue.huey.flush()
