"""Real CSV and XLSX files, written into tmp_path, read back as raw tables."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saudager.adapters.files import TabularFileReader, read_csv, read_xlsx
from saudager.adapters.files.readers import sniff_delimiter
from saudager.core.errors import InputValidationError
from saudager.domains.imports.logic import validate_table
from saudager.domains.imports.types import ImportKind

READER = TabularFileReader()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def problem_of(path: Path) -> str:
    with pytest.raises(InputValidationError) as caught:
        READER.read_tables(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert (problem.row, problem.column) == (None, None)
    return problem.message


# ------------------------------------------------------------------ CSV


def test_csv_with_a_bom_and_messy_header(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", " Order_Code ,SKU\r\n1,A\r\n2,B\r\n", "utf-8-sig")
    [table] = READER.read_tables(path)
    assert table.header == ("order_code", "sku")
    assert table.rows == [
        (2, {"order_code": "1", "sku": "A"}),
        (3, {"order_code": "2", "sku": "B"}),
    ]
    assert (table.source, table.sheet, table.overlong_rows) == (str(path), None, ())


def test_csv_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path / "o.csv", 'sku;purchase_cost\nA;12 345,50\nB;"1;2"\n')
    table = read_csv(path)
    assert table.rows == [
        (2, {"sku": "A", "purchase_cost": "12 345,50"}),
        (3, {"sku": "B", "purchase_cost": "1;2"}),
    ]


def test_csv_in_windows_1251(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "sku;name\nA;Чайник электрический\n", "cp1251")
    assert read_csv(path).rows == [(2, {"sku": "A", "name": "Чайник электрический"})]


def test_csv_in_utf16_with_tabs(tmp_path: Path) -> None:
    # Excel's "Unicode text" export.
    path = write(tmp_path / "p.txt", "sku\tname\nA\tКружка\n", "utf-16")
    assert read_csv(path).rows == [(2, {"sku": "A", "name": "Кружка"})]


def test_csv_row_numbers_are_spreadsheet_rows(tmp_path: Path) -> None:
    # Blank lines before the header and between rows are skipped but counted; a quoted cell
    # spanning two lines is one row, as in Excel.
    text = '\n,\nsku,name\nA,"two\nlines"\n\n , \nB,x\n'
    table = read_csv(write(tmp_path / "p.csv", text))
    assert table.rows == [(4, {"sku": "A", "name": "two\nlines"}), (7, {"sku": "B", "name": "x"})]


def test_csv_short_and_long_rows(tmp_path: Path) -> None:
    text = "order_code,sku,,\n1\n2,A,,\n3,B,12 345,50\n"
    table = read_csv(write(tmp_path / "l.csv", text))
    assert table.header == ("order_code", "sku")  # trailing empty header cells dropped
    assert table.rows[0] == (2, {"order_code": "1"})
    assert table.overlong_rows == ((4, 4),)


def test_csv_cells_under_an_empty_header_cell_are_dropped(tmp_path: Path) -> None:
    table = read_csv(write(tmp_path / "l.csv", "sku,,name\nA,x,B\n"))
    assert table.rows == [(2, {"sku": "A", "name": "B"})]


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"a,1";"b,2";c', ";"),
        ("single", ","),
        ("a;b,c", ","),
    ],
)
def test_sniff_delimiter(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty: expected a header row naming the columns"),
        ("blank.csv", b"\r\n  \n", "the file is empty: expected a header row naming the columns"),
        ("nul.csv", b"a,b\x00\x01", "not a text file: save it as CSV (UTF-8) or XLSX"),
        (
            "bad.csv",
            b"a,b\n\x98\x98",
            "cannot decode the text: save the file as CSV in UTF-8 (or Windows-1251)",
        ),
        (
            "old.xls",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "an old Excel .xls workbook: save it as .xlsx or as CSV (UTF-8) and import that",
        ),
        ("fake.xlsx", b"sku,name\n", "not an XLSX workbook: the file does not start like one"),
    ],
)
def test_unreadable_files_are_named(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert problem_of(path) == message


def test_a_missing_file(tmp_path: Path) -> None:
    assert problem_of(tmp_path / "nope.csv") == "the file does not exist"


def test_a_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    assert problem_of(path).startswith("not a readable XLSX workbook (")


def test_a_directory(tmp_path: Path) -> None:
    assert problem_of(tmp_path).startswith("cannot read the file: ")


# ------------------------------------------------------------------ XLSX


def test_xlsx_first_sheet_with_typed_cells(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx",
        {
            "Лист1": [
                ["Order_Code", "created_at", "status", "total_price", "is_kaspi_delivery"],
                [510000001, datetime(2026, 3, 1, 14, 5), "COMPLETED", 15990, True],
                [None, None, None, None, None],
                ["510000002", date(2026, 3, 2), "получен", 1350.5, False],
            ],
            "Other": [["x"], [1]],
        },
    )
    [table] = READER.read_tables(path)
    assert table.source == f"{path} (sheet 'Лист1')"
    assert table.sheet == "Лист1"
    assert table.header == (
        "order_code",
        "created_at",
        "status",
        "total_price",
        "is_kaspi_delivery",
    )
    (n1, first), (n2, second) = table.rows
    assert (n1, n2) == (2, 4)
    assert first == {
        "order_code": 510000001,
        "created_at": datetime(2026, 3, 1, 14, 5),
        "status": "COMPLETED",
        "total_price": 15990,
        "is_kaspi_delivery": True,
    }
    # openpyxl gives date cells back as midnight datetimes.
    assert second["created_at"] == datetime(2026, 3, 2, 0, 0)
    assert second["total_price"] == 1350.5

    [order1, order2] = validate_table(table, "Asia/Almaty").orders
    assert order1.code == "510000001"
    assert order1.created_at == datetime(2026, 3, 1, 9, 5, tzinfo=UTC)  # Excel times are local
    assert order2.created_at == datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    assert order2.total_price == Decimal("1350.50")
    assert (order1.is_kaspi_delivery, order2.is_kaspi_delivery) == (True, False)


def test_xlsx_one_sheet_per_kind(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "shop.xlsx",
        {
            "Read me": [["This workbook holds the shop's data"]],
            "Orders": [["order_code"], ["1"]],
            " products ": [["sku"], ["A"]],
        },
    )
    tables = read_xlsx(path, ["orders", "products", "returns"])
    assert [(t.sheet, t.rows) for t in tables] == [
        ("Orders", [(2, {"order_code": "1"})]),
        (" products ", [(2, {"sku": "A"})]),
    ]
    assert [t.sheet for t in read_xlsx(path)] == ["Read me"]


def test_xlsx_leading_empty_rows_and_stray_cells(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B3"] = "sku"
    sheet["C3"] = "name"
    sheet["B5"] = "A"
    sheet["C5"] = "Кружка"
    sheet["E6"] = "stray"  # beyond the header: reported, not guessed at
    sheet["B6"] = "B"
    book.save(tmp_path / "p.xlsx")
    [table] = READER.read_tables(tmp_path / "p.xlsx")
    assert table.header == ("", "sku", "name")
    assert table.rows == [(5, {"sku": "A", "name": "Кружка"}), (6, {"sku": "B", "name": None})]
    assert table.overlong_rows == ((6, 5),)


def test_a_workbook_named_csv_is_read_as_a_workbook(tmp_path: Path) -> None:
    path = workbook(tmp_path / "export.csv", {"Sheet": [["sku"], ["A"]]})
    [table] = READER.read_tables(path)
    assert table.rows == [(2, {"sku": "A"})]


def test_an_empty_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "e.xlsx", {"Sheet": []})
    with pytest.raises(InputValidationError) as caught:
        READER.read_tables(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path} (sheet 'Sheet'): empty: expected a header row naming the columns"
    ]


def test_products_from_excel(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "costs.xlsx",
        {
            "products": [
                ["sku", "name", "category", "purchase_cost", "cost_effective_from", "weight_kg"],
                [1002, "Кружка", "Посуда", 450, datetime(2026, 2, 15), 0.35],
                ["KETTLE-01", "Чайник", "Чайники", "7 500", "2026-01-01", None],
            ]
        },
    )
    [table] = READER.read_tables(path, [k.value for k in ImportKind])
    result = validate_table(table, "Asia/Almaty")
    assert result.problems == ()
    assert [(c.sku, c.effective_from, c.purchase_cost) for c in result.product_costs] == [
        ("1002", date(2026, 2, 15), Decimal("450.00")),
        ("KETTLE-01", date(2026, 1, 1), Decimal("7500.00")),
    ]
    assert result.products[0].weight_kg == Decimal("0.35")


def test_problems_in_a_sheet_name_the_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "o.xlsx",
        {
            "orders": [
                ["order_code", "created_at", "status", "total_price"],
                ["1", "31/02/2026", "COMPLETED", 5],
            ]
        },
    )
    [table] = READER.read_tables(path, ["orders"])
    assert [str(p) for p in validate_table(table, "Asia/Almaty").problems] == [
        f"{path} (sheet 'orders'), row 2, column 'created_at': expected a date-time in ISO 8601"
        " such as 2026-03-01T14:05:00+05:00, found '31/02/2026'"
    ]


_CELL = st.text(
    alphabet=st.sampled_from(
        list("abcXYZ019 ,;\"'\n\t.₸-") + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяЁА")
    ),
    max_size=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_CELL, _CELL), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
)
def test_csv_round_trip(
    tmp_path: Path, rows: list[tuple[str, str]], delimiter: str, encoding: str
) -> None:
    # Whatever Excel or Python's csv writes, in any of the encodings, reads back cell for cell.
    if encoding == "cp1251":
        rows = [(a.replace("₸", "T"), b.replace("₸", "T")) for a, b in rows]
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["sku", "name"])
    writer.writerows(rows)
    path = tmp_path / "round.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))
    table = read_csv(path)
    expected = [
        (number, {"sku": a, "name": b})
        for number, (a, b) in enumerate(rows, start=2)
        if a.strip() or b.strip()
    ]
    assert table.rows == expected
