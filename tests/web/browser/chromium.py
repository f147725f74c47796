"""Debian's Chromium for the browser tests, installed with apt-get when it is missing.

Playwright drives the distribution's browser (``/usr/bin/chromium``), never one it downloads
itself. When the browser is missing and this process runs as root on a machine with apt-get,
it is installed (``apt-get update && apt-get install -y chromium``); otherwise the browser tests
are skipped with the reason, unless ``SAUDAGER_REQUIRE_BROWSER=1`` (CI), which turns the skip
into a failure — as ``tests/pg.py`` does for PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import NoReturn

import pytest

CHROMIUM = Path("/usr/bin/chromium")
REQUIRE_ENV = "SAUDAGER_REQUIRE_BROWSER"
#: Headless, and quiet: the closed network of a CI machine refuses Chromium's own background
#: connections (updates, sync, QUIC probes), which would otherwise show up as noise or delays.
LAUNCH_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
_APT_TIMEOUT_SECONDS = 900


def browser_required() -> bool:
    return os.environ.get(REQUIRE_ENV) == "1"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test; fail it instead when ``SAUDAGER_REQUIRE_BROWSER=1`` (CI)."""
    if browser_required():
        pytest.fail(f"{reason}, and {REQUIRE_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


def _apt_get(*args: str) -> str | None:
    """Run apt-get; the last lines of its output when it fails, else ``None``."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(
            ["apt-get", *args], env=env, capture_output=True, text=True,
            timeout=_APT_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"apt-get {' '.join(args)} took more than {_APT_TIMEOUT_SECONDS} s"
    if done.returncode != 0:
        tail = " | ".join((done.stdout + done.stderr).strip().splitlines()[-3:])
        return f"apt-get {' '.join(args)} failed ({done.returncode}): {tail}"
    return None


@cache
def unavailable_reason() -> str | None:
    """Why Chromium cannot be used, or ``None`` once it is there (installing it if we may)."""
    if CHROMIUM.exists():
        return None
    if shutil.which("apt-get") is None:
        return f"{CHROMIUM} is missing and there is no apt-get to install Debian's 'chromium'"
    if os.geteuid() != 0:
        return f"{CHROMIUM} is missing; install it as root: apt-get install -y chromium"
    failure = _apt_get("update") or _apt_get("install", "-y", "chromium")
    if failure is not None:
        return f"{CHROMIUM} is missing and could not be installed: {failure}"
    if not CHROMIUM.exists():
        return f"apt-get installed 'chromium' but {CHROMIUM} is still missing"
    return None


def require_chromium() -> Path:
    """The browser's path; skips (or fails, in CI) the calling test when there is none."""
    reason = unavailable_reason()
    if reason is not None:
        skip_or_fail(reason)
    return CHROMIUM
