"""Simulators served over real loopback HTTP (uvicorn in a background thread, a free port)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from kaspi_sim_helpers import TOKEN, api_client, small_config

from saudager.adapters.kaspi.simulator import (
    RunningSimulator,
    Shop,
    SimConfig,
    generate_shop,
    running_simulator,
)


@pytest.fixture(scope="session")
def year_shop() -> Shop:
    """A year of a default-sized shop, for the realism statistics."""
    end = datetime(2026, 6, 1, tzinfo=UTC)
    return generate_shop(SimConfig(seed=2026, start=end - timedelta(days=365), end=end))


@pytest.fixture(scope="module")
def shared_sim() -> Iterator[RunningSimulator]:
    """For tests that only read: never change its clock or its orders."""
    with running_simulator(small_config(), TOKEN) as sim:
        yield sim


@pytest.fixture
def fresh_sim() -> Iterator[RunningSimulator]:
    """A small simulator of its own, for tests that change orders, the clock or faults."""
    with running_simulator(
        small_config(seed=5, days=12, orders_per_day=100), TOKEN, fault_timeout_seconds=1.0
    ) as sim:
        yield sim


@pytest.fixture
def api(shared_sim: RunningSimulator) -> Iterator[httpx.Client]:
    with api_client(shared_sim) as client:
        yield client
