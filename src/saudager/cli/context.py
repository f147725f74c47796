"""What a sub-command group needs from the root command: its services, and one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape

from saudager.cli.output import errors
from saudager.core.errors import SaudagerError
from saudager.settings import load_settings
from saudager.wiring import Services, build_services


def fail(message: str) -> typer.Exit:
    """Print ``error: message`` on standard error (escaped: input such as "[1]" is not markup)
    and give the exit to raise."""
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(1)


@contextmanager
def services_of(ctx: typer.Context) -> Iterator[Services]:
    """The services for the settings of ``saudager --config``; a ``SaudagerError`` raised
    inside becomes a one-line error and exit code 1."""
    config = ctx.find_root().params.get("config")
    services = build_services(load_settings(config))
    try:
        yield services
    except SaudagerError as exc:
        raise fail(str(exc)) from exc
    finally:
        services.close()
