"""``saudager quality`` as a seller runs it, on a shop filled by file import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    env.update(SAUDAGER_HOME=str(home), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_quality_commands(tmp_path: Path) -> None:
    assert _run(tmp_path, "shop", "add", "files").returncode == 0
    imported = _run(tmp_path, "import", "files", *map(str, sorted(EXAMPLES.glob("*.csv"))))
    assert imported.returncode == 0, imported.stderr
    report = _run(tmp_path, "quality", "files", "--as-of", "2026-03-10", "--json")
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert set(data["indicators"]) >= {"rating", "seller_cancellations", "late_handovers",
                                       "quality_returns", "reviews_balance"}  # fmt: skip
    table = _run(tmp_path, "quality", "files", "--as-of", "2026-03-10")
    assert table.returncode == 0 and "Опоздания с передачей" in table.stdout
    explain = _run(
        tmp_path, "quality", "explain", "files", "late_handovers", "--as-of", "2026-03-10", "--json"
    )
    assert explain.returncode == 0, explain.stderr
    assert json.loads(explain.stdout)["indicator"] == "late_handovers"
    outlook = _run(tmp_path, "quality", "outlook", "files", "--as-of", "2026-03-10", "--days", "7")
    assert outlook.returncode == 0, outlook.stderr
    bad = _run(tmp_path, "quality", "explain", "files", "speed")
    assert bad.returncode != 0 and "expected one of" in bad.stderr
    wrong = _run(tmp_path, "quality", "explain", "files")
    assert wrong.returncode == 2 and "usage" in wrong.stderr
