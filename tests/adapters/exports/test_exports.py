"""Exports: .xlsx (formatted, numbers stay numbers) and .csv (UTF-8 BOM, tenge with a dot)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from openpyxl import load_workbook

from saudager.adapters.exports import write_csv, write_xlsx
from saudager.adapters.exports.xlsx import MONEY_FORMAT, MONEY_FORMAT_TIYN


def _report() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "sku": ["A-1", "Б-2", "C-3"],
            "product_name": ["Чайник «Алтын»", "Қазақша тауар", None],
            "day": [date(2026, 2, 12), date(2026, 2, 13), None],
            "created_at": [datetime(2026, 2, 12, 19, 30, tzinfo=UTC), None, None],
            "units": [3, 0, 12],
            "revenue_tiyn": [1_234_500, 0, None],
            "cost": [10_050, 200, 300],  # tiyn, named explicitly
            "margin_pct": [12.5, -3.0, None],
            "in_stock": [True, False, None],
        },
        schema_overrides={"created_at": pl.Datetime("us", "UTC")},
    )


def test_xlsx_round_trip(tmp_path: Path) -> None:
    plan = pl.DataFrame({"sku": ["X"], "to_order": [7], "expected_revenue_tiyn": [999_900]})
    path = write_xlsx(
        tmp_path / "out" / "report.xlsx",
        {"Отчёт": _report(), "План Жұма": plan},
        money_columns=["cost"],
        percent_columns=["margin_pct"],
        titles={"sku": "Артикул", "revenue_tiyn": "Выручка"},
    )
    book = load_workbook(path)
    assert book.sheetnames == ["Отчёт", "План Жұма"]
    sheet = book["Отчёт"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert header == [
        "Артикул",
        "product_name",
        "day",
        "created_at",
        "units",
        "Выручка",
        "cost",
        "margin_pct",
        "in_stock",
    ]
    assert all(c.font.bold for c in sheet[1])
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    first = rows[0]
    assert first[0] == "A-1" and first[1] == "Чайник «Алтын»"
    assert rows[1][1] == "Қазақша тауар"
    assert first[2] == datetime(2026, 2, 12)  # a date cell
    assert sheet["C2"].is_date
    assert first[3] == datetime(2026, 2, 13, 0, 30)  # 19:30 UTC is 00:30 in Almaty (+05)
    assert first[4] == 3
    assert first[5] == 12_345 and isinstance(first[5], int | float)  # tenge, a number
    assert sheet["F2"].number_format == MONEY_FORMAT
    assert first[6] == pytest.approx(100.5)
    assert sheet["G2"].number_format == MONEY_FORMAT_TIYN  # 100.50 ₸ has tiyn
    assert first[7] == pytest.approx(0.125)
    assert "%" in sheet["H2"].number_format
    assert first[8] is True
    assert rows[2][5] is None and rows[2][2] is None  # nulls are empty cells
    assert sheet.column_dimensions["B"].width >= len("Чайник «Алтын»")
    other = book["План Жұма"]
    assert [c.value for c in other[1]] == ["Артикул", "to_order", "expected_revenue"]
    assert other["C2"].value == 9_999
    assert other.freeze_panes == "A2"


def test_xlsx_sheet_names_follow_excel_rules(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    long = "Очень длинное имя листа для отчёта"
    path = write_xlsx(tmp_path / "r.xlsx", {"a/b": frame, long: frame, long + "!": frame})
    names = load_workbook(path).sheetnames
    assert names[0] == "a_b"
    assert all(len(n) <= 31 for n in names)
    assert len(set(names)) == 3


def test_xlsx_refuses_non_integer_money_and_no_sheets(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="integer tiyn"):
        write_xlsx(tmp_path / "r.xlsx", {"s": pl.DataFrame({"price_tiyn": [1.5]})})
    with pytest.raises(ValueError, match="no sheets"):
        write_xlsx(tmp_path / "r.xlsx", {})


def test_xlsx_empty_frame(tmp_path: Path) -> None:
    frame = pl.DataFrame(schema={"sku": pl.String(), "amount_tiyn": pl.Int64()})
    sheet = load_workbook(write_xlsx(tmp_path / "r.xlsx", {"s": frame})).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["sku", "amount"]
    assert sheet.max_row == 1


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_round_trip(tmp_path: Path, delimiter: str) -> None:
    path = write_csv(
        tmp_path / "report.csv",
        _report(),
        delimiter=delimiter,  # type: ignore[arg-type]
        money_columns=["cost"],
        percent_columns=["margin_pct"],
        titles={"sku": "Артикул"},
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    assert rows[0] == [
        "Артикул",
        "product_name",
        "day",
        "created_at",
        "units",
        "revenue",
        "cost",
        "margin_pct",
        "in_stock",
    ]
    assert rows[1] == [
        "A-1",
        "Чайник «Алтын»",
        "2026-02-12",
        "2026-02-13 00:30:00",
        "3",
        "12345.00",
        "100.50",
        "12.5",
        "true",
    ]
    assert rows[2][1] == "Қазақша тауар"
    assert rows[3] == ["C-3", "", "", "", "12", "", "3.00", "", ""]
    assert float(rows[1][5]) == 12_345.0  # parses as a number


def test_csv_is_readable_by_polars(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", pl.DataFrame({"sku": ["Ә"], "price_tiyn": [599_000]}))
    back = pl.read_csv(path, separator=";")
    assert back.columns == ["sku", "price"]
    assert back["sku"].to_list() == ["Ә"]
    assert back["price"].dtype == pl.Float64
    assert back["price"].to_list() == [5_990.0]


def test_csv_rejects_bad_input(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="delimiter"):
        write_csv(tmp_path / "r.csv", frame, delimiter="\t")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no such columns"):
        write_csv(tmp_path / "r.csv", frame, money_columns=["missing"])
    with pytest.raises(TypeError, match="numeric"):
        write_csv(tmp_path / "r.csv", pl.DataFrame({"p": ["x"]}), percent_columns=["p"])
