"""The CLI as a seller runs it: real processes, one of them killed in the middle of a sync."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from saudager.adapters.kaspi.simulator import RunningSimulator, SimConfig, running_simulator

TOKEN = "cli-secret-token-0123456789"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    env.update(SAUDAGER_HOME=str(home), SAUDAGER_LOG_LEVEL="WARNING", **extra)
    return env


def _saudager(
    home: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args],
        input=stdin, capture_output=True, text=True, env=_env(home, **env), timeout=300,
        check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    # The CLI syncs up to the wall clock, so the simulated shop ends now.
    end = datetime.now(UTC)
    config = SimConfig(seed=77, start=end - timedelta(days=40), end=end, orders_per_day=100.0,
                       sku_count=40)  # fmt: skip
    with running_simulator(config, TOKEN, now=end) as running:
        yield running


def _add_shop(home: Path, sim: RunningSimulator) -> None:
    added = _saudager(home, "shop", "add", "sim", "--token-stdin", "--api-url", sim.base_url,
                      stdin=TOKEN + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr


def _dump(home: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(home / "saudager.db") as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3").fetchall()
            for table in ("order_lines", "returns", "reviews")
        } | {
            "orders": db.execute(
                "SELECT shop_id, code, state, status, fingerprint FROM orders ORDER BY code"
            ).fetchall(),
            "products": db.execute(
                "SELECT sku, name, kaspi_product_code FROM products ORDER BY sku"
            ).fetchall(),
        }


def _order_count(home: Path) -> int:
    try:
        with sqlite3.connect(home / "saudager.db", timeout=5) as db:
            return int(db.execute("SELECT count(*) FROM orders").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


def test_a_killed_sync_resumes_with_nothing_lost_and_nothing_doubled(
    sim: RunningSimulator, tmp_path: Path
) -> None:
    reference, crashed = tmp_path / "reference", tmp_path / "crashed"
    for home in (reference, crashed):
        _add_shop(home, sim)
    done = _saudager(reference, "sync", "sim", "--json", SAUDAGER_KASPI_REQUESTS_PER_SECOND="500")
    assert done.returncode == 0, done.stderr
    total = json.loads(done.stdout)["orders_seen"]
    assert total > 1000

    # Slow enough (25 requests/s) to be caught in the middle.
    process = subprocess.Popen(
        [sys.executable, "-m", "saudager", "sync", "sim", "--json"],
        env=_env(crashed, SAUDAGER_KASPI_REQUESTS_PER_SECOND="25"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while _order_count(crashed) < 300:
        assert process.poll() is None, "the sync finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    partial = _order_count(crashed)
    assert 300 <= partial < total

    resumed = _saudager(crashed, "sync", "sim", "--json", SAUDAGER_KASPI_REQUESTS_PER_SECOND="500")
    assert resumed.returncode == 0, resumed.stderr
    assert _dump(crashed) == _dump(reference)

    status = _saudager(crashed, "status", "--json")
    [shop] = json.loads(status.stdout)["shops"]
    assert shop["orders"] == total
    assert shop["last_sync"]["status"] == "succeeded"
    with sqlite3.connect(crashed / "saudager.db") as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM sync_runs ORDER BY id")]
    assert statuses == ["interrupted", "succeeded"]


def test_the_token_is_encrypted_and_never_printed(sim: RunningSimulator, tmp_path: Path) -> None:
    _add_shop(tmp_path, sim)
    key = tmp_path / "secret.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert TOKEN.encode() not in (tmp_path / "saudager.db").read_bytes()
    bad = _saudager(tmp_path, "shop", "token", "sim", "--token", "wrong-token-value-xyz")
    assert bad.returncode == 0
    failed = _saudager(tmp_path, "sync", "sim")
    assert failed.returncode == 1
    assert "token" in failed.stderr and "wrong-token-value-xyz" not in failed.stderr + failed.stdout


def test_unknown_shop_and_no_token_are_clear_errors(tmp_path: Path) -> None:
    missing = _saudager(tmp_path, "sync", "nope")
    assert missing.returncode == 1 and "nope" in missing.stderr
    added = _saudager(tmp_path, "shop", "add", "files-only")
    assert added.returncode == 0, added.stderr
    no_token = _saudager(tmp_path, "sync", "files-only")
    assert no_token.returncode == 1 and "no Kaspi API token" in no_token.stderr
