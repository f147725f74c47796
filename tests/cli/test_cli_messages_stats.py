"""``saudager messages stats / optout / optouts`` as a seller runs them: real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from saudager.settings import load_settings
from saudager.wiring import build_services

PHONE = "+77011234567"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    env.update(SAUDAGER_HOME=str(home), SAUDAGER_LOG_LEVEL="WARNING", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def _shop(home: Path) -> None:
    services = build_services(load_settings(None, home=home))
    try:
        services.add_shop("demo", None, None, None)
    finally:
        services.close()


def test_seller_opt_out_is_recorded_once_and_listed_masked(tmp_path: Path) -> None:
    _shop(tmp_path)
    bad = _run(tmp_path, "messages", "optout", "demo", "12345")
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "error:" in bad.stderr

    first = _run(tmp_path, "messages", "optout", "demo", "8 701 123 45 67")
    assert first.returncode == 0, first.stderr
    assert "Opted out +7701***4567" in first.stdout
    again = _run(tmp_path, "messages", "optout", "demo", PHONE)
    assert again.returncode == 0 and "already" in again.stdout

    listed = _run(tmp_path, "messages", "optouts", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)["opt_outs"]
    assert [(r["phone"], r["source"]) for r in rows] == [("+7701***4567", "seller")]
    assert PHONE not in listed.stdout


def test_stats_of_a_shop_without_messages(tmp_path: Path) -> None:
    _shop(tmp_path)
    shown = _run(
        tmp_path,
        "messages",
        "stats",
        "demo",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
        "--json",
    )
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert data["templates"] == []
    assert data["conversion"]["messaged_orders"] == 0 and data["conversion"]["interval"] is None
    assert data["from"].startswith("2026-10-31T") and data["to"].startswith("2026-11-30T")

    bad = _run(tmp_path, "messages", "stats", "demo", "--from", "yesterday")
    assert bad.returncode == 1 and "not a date" in bad.stderr
