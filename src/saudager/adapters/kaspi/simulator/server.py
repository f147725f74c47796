"""The simulator as an ASGI app, served by uvicorn on loopback.

``create_app`` builds the app (in-process use, tests), ``serve`` runs it in the foreground,
``run_simulator`` is what ``saudager simulator`` calls, and ``running_simulator`` starts it in a
background thread on a free port for tests and benchmarks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from saudager.adapters.kaspi.simulator.admin import AdminApi
from saudager.adapters.kaspi.simulator.api import KaspiApi, html_not_found
from saudager.adapters.kaspi.simulator.faults import KASPI_PREFIX, FaultInjector
from saudager.adapters.kaspi.simulator.generator import Shop, SimConfig
from saudager.adapters.kaspi.simulator.simulation import Simulation

LOOPBACK = "127.0.0.1"


def create_app(
    config: SimConfig,
    token: str,
    now: datetime | None = None,
    fault_rate: float = 0.0,
    *,
    shop: Shop | None = None,
    fault_timeout_seconds: float = 35.0,
) -> Starlette:
    """The simulator app. Generates the shop now (pass ``shop`` to reuse one already made).

    The running ``Simulation`` is at ``app.state.simulation``.
    """
    simulation = Simulation.build(
        config, token, now, fault_rate, shop=shop, fault_timeout_seconds=fault_timeout_seconds
    )
    return app_for(simulation)


def app_for(simulation: Simulation) -> Starlette:
    async def not_found(request: Request, exc: Exception) -> Response:
        return html_not_found()

    app = Starlette(
        routes=[*KaspiApi(simulation).routes(), *AdminApi(simulation).routes()],
        exception_handlers={404: not_found},
    )
    app.state.simulation = simulation
    app.add_middleware(FaultInjector, plan=simulation.faults)
    return app


def serve(
    host: str,
    port: int,
    config: SimConfig,
    token: str,
    now: datetime | None = None,
    fault_rate: float = 0.0,
) -> None:
    """Run the simulator in the foreground until interrupted."""
    uvicorn.run(
        create_app(config, token, now, fault_rate), host=host, port=port, log_level="warning"
    )


def run_simulator(
    port: int,
    seed: int,
    token: str,
    days: int = 180,
    orders_per_day: int = 150,
    fault_rate: float = 0.0,
    now: datetime | None = None,
    host: str = LOOPBACK,
) -> None:
    """``saudager simulator``: a shop with ``days`` of history ending at ``now`` (default: the
    current time, read once here), served until interrupted."""
    end = now if now is not None else datetime.now(UTC)
    config = SimConfig(
        seed=seed, start=end - timedelta(days=days), end=end, orders_per_day=orders_per_day
    )
    serve(host, port, config, token, end, fault_rate)


@dataclass(frozen=True, slots=True)
class RunningSimulator:
    """A simulator serving in a background thread."""

    root_url: str  # http://127.0.0.1:PORT
    simulation: Simulation

    @property
    def base_url(self) -> str:
        """What the Kaspi client takes as its base URL."""
        return f"{self.root_url}{KASPI_PREFIX}"

    @property
    def admin_url(self) -> str:
        return f"{self.root_url}/_sim"


@contextmanager
def running_simulator(
    config: SimConfig,
    token: str,
    now: datetime | None = None,
    fault_rate: float = 0.0,
    *,
    shop: Shop | None = None,
    fault_timeout_seconds: float = 35.0,
    host: str = LOOPBACK,
    port: int = 0,
) -> Iterator[RunningSimulator]:
    """Serve over real HTTP in a daemon thread; ``port=0`` picks a free port."""
    app = create_app(
        config, token, now, fault_rate, shop=shop, fault_timeout_seconds=fault_timeout_seconds
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off",
            # Do not wait for requests stalled by a "timeout" fault when stopping.
            timeout_graceful_shutdown=1,
        )
    )  # fmt: skip
    thread = threading.Thread(target=server.run, name="kaspi-simulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the Kaspi simulator did not start on {host}:{port}")
        time.sleep(0.01)
    bound_port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningSimulator(f"http://{host}:{bound_port}", app.state.simulation)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
