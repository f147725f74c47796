"""``saudager report`` as a seller runs it, with the XLSX and CSV exports."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import"


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUDAGER_")}
    # The seller has said what packaging costs (100 ₸ an order): profit can be computed.
    env.update(
        SAUDAGER_HOME=str(home), COLUMNS="200", SAUDAGER_ANALYTICS__PACKAGING_PER_ORDER_TIYN="10000"
    )
    return subprocess.run(
        [sys.executable, "-m", "saudager", *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_reports_json_and_exports(tmp_path: Path) -> None:
    assert _run(tmp_path, "shop", "add", "files").returncode == 0
    imported = _run(tmp_path, "import", "files", *map(str, sorted(EXAMPLES.glob("*.csv"))))
    assert imported.returncode == 0, imported.stderr
    span = ("--from", "2026-02-23", "--to", "2026-03-15")
    abc = _run(tmp_path, "report", "abc", "files", *span, "--json")
    assert abc.returncode == 0, abc.stderr
    rows = json.loads(abc.stdout)["abc"]
    assert rows and set(rows[0]) >= {"sku", "value", "share", "cumulative_share", "class"}
    assert rows[-1]["cumulative_share"] in ("1", "1.000000", 1)
    book, table = tmp_path / "tops.xlsx", tmp_path / "summary.csv"
    tops = _run(tmp_path, "report", "tops", "files", *span, "--xlsx", str(book))
    assert tops.returncode == 0, tops.stderr
    sheet = load_workbook(book)["by_revenue"]
    assert sheet.freeze_panes == "A2"
    revenue_column = [c.value for c in sheet[1]].index("revenue") + 1
    assert isinstance(sheet.cell(row=2, column=revenue_column).value, int | float)
    summary = _run(tmp_path, "report", "summary", "files", *span, "--csv", str(table))
    assert summary.returncode == 0, summary.stderr
    with table.open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert "revenue" in header
    bad = _run(tmp_path, "report", "nonsense", "files")
    assert bad.returncode == 2 and "expected one of" in bad.stderr


def test_costs_edited_from_the_command_line_change_the_profit(tmp_path: Path) -> None:
    assert _run(tmp_path, "shop", "add", "files").returncode == 0
    files = [str(p) for p in sorted(EXAMPLES.glob("*.csv"))]
    assert _run(tmp_path, "import", "files", *files).returncode == 0
    span = ("--from", "2026-03-01", "--to", "2026-03-31", "--json")

    def kettle_profit() -> str | None:
        result = _run(tmp_path, "report", "unit-economics", "files", *span)
        assert result.returncode == 0, result.stderr
        [row] = [r for r in json.loads(result.stdout)["unit_economics"] if r["sku"] == "KETTLE-01"]
        return row["profit"]

    before = kettle_profit()
    cheaper = _run(
        tmp_path, "costs", "purchase", "files", "KETTLE-01", "1000", "--from", "2026-01-01"
    )
    assert cheaper.returncode == 0, cheaper.stderr
    rate = _run(tmp_path, "costs", "commission", "files", "*", "5")
    assert rate.returncode == 0, rate.stderr
    after = kettle_profit()
    assert before != after
    bad = _run(tmp_path, "costs", "purchase", "files", "KETTLE-01", "cheap")
    assert bad.returncode == 1 and "expected tenge" in bad.stderr
