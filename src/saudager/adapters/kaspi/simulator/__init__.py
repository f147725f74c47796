"""A local Kaspi Shop API v2 driven by a deterministic, realistic shop. See docs/simulator.md.

Public entry points:

- ``SimConfig``, ``generate_shop`` — the pure generator (a ``Shop``);
- ``create_app``, ``serve``, ``run_simulator``, ``running_simulator`` — the HTTP server;
- ``Simulation`` / ``SimWorld`` — the state behind a running app (``app.state.simulation``).
"""

from saudager.adapters.kaspi.simulator.generator import Shop, SimConfig, generate_shop
from saudager.adapters.kaspi.simulator.server import (
    RunningSimulator,
    create_app,
    run_simulator,
    running_simulator,
    serve,
)
from saudager.adapters.kaspi.simulator.simulation import Simulation
from saudager.adapters.kaspi.simulator.volume import DEFAULT_ZHUMA_PERIODS
from saudager.adapters.kaspi.simulator.world import SimWorld

__all__ = [
    "DEFAULT_ZHUMA_PERIODS",
    "RunningSimulator",
    "Shop",
    "SimConfig",
    "SimWorld",
    "Simulation",
    "create_app",
    "generate_shop",
    "run_simulator",
    "running_simulator",
    "serve",
]
