"""Run the web app with Uvicorn."""

from __future__ import annotations

import uvicorn

from saudager.settings import Settings
from saudager.web.app import create_app
from saudager.wiring import build_services


def run_web(settings: Settings, host: str, port: int) -> None:
    services = build_services(settings)
    try:
        uvicorn.run(create_app(services), host=host, port=port, log_level="warning")
    finally:
        services.close()
