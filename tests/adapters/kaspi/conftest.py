"""The client against the simulator over real loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kaspi_client_helpers import TOKEN, RecordedSleeps, config

from saudager.adapters.kaspi.client import KaspiClient
from saudager.adapters.kaspi.simulator import RunningSimulator, running_simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(config(), TOKEN, fault_timeout_seconds=1.5) as running:
        yield running


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps()


@pytest.fixture
def client(sim: RunningSimulator, sleeps: RecordedSleeps) -> Iterator[KaspiClient]:
    with KaspiClient(
        sim.base_url, TOKEN, requests_per_second=1000, timeout_seconds=0.5, max_retries=3,
        backoff_seconds=0.2, sleep=sleeps,
    ) as kaspi:  # fmt: skip
        yield kaspi
