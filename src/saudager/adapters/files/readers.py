"""CSV and XLSX files into raw tables: a header and numbered rows of untouched cell values.

Nothing here judges a value; ``saudager.domains.imports.logic`` does. The readers only undo
what spreadsheets and Windows do to text: byte-order marks, the Windows-1251 code page,
``;`` as the delimiter where the decimal separator is ``,``, and blank rows.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from saudager.core.errors import FieldProblem, InputValidationError
from saudager.domains.imports.types import RawRow, RawTable, normalize_header

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the pre-2007 binary .xls format
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (",", ";", "\t")
_QUOTED = re.compile(r'"[^"]*"')


def _unreadable(path: Path, message: str) -> InputValidationError:
    return InputValidationError([FieldProblem(str(path), None, None, message)])


class TabularFileReader:
    """Reads ``.csv`` and ``.xlsx`` files; satisfies ``saudager.domains.imports.ports.TableReader``.

    The format is told by the file's first bytes, not its name, so a workbook saved as
    ``orders.csv`` still reads; the name only decides when the content cannot.
    """

    def read_tables(self, path: Path, sheet_names: Collection[str] = ()) -> list[RawTable]:
        try:
            with path.open("rb") as handle:
                head = handle.read(8)
        except FileNotFoundError:
            raise _unreadable(path, "the file does not exist") from None
        except OSError as exc:
            raise _unreadable(path, f"cannot read the file: {exc.strerror or exc}") from None
        if head.startswith(_OLE_MAGIC) or path.suffix.lower() == ".xls":
            raise _unreadable(
                path,
                "an old Excel .xls workbook: save it as .xlsx or as CSV (UTF-8) and import that",
            )
        if head.startswith(_ZIP_MAGIC):
            return read_xlsx(path, sheet_names)
        if path.suffix.lower() in _XLSX_SUFFIXES:
            raise _unreadable(path, "not an XLSX workbook: the file does not start like one")
        return [read_csv(path)]


def _decode(data: bytes, path: Path) -> str:
    """UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1251.

    Windows-1251 is the fallback because it is what Russian-locale Excel writes as "CSV";
    strict UTF-8 almost never accepts Cyrillic Windows-1251 bytes, so the order is safe.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("cp1251")
        except UnicodeDecodeError:
            pass
    raise _unreadable(
        path, "cannot decode the text: save the file as CSV in UTF-8 (or Windows-1251)"
    )


def sniff_delimiter(first_line: str) -> str:
    """The most frequent of ``,``, ``;`` and tab in the header line, quoted parts left out;
    ``,`` when there is none (a one-column file) or on a tie."""
    bare = _QUOTED.sub("", first_line)
    counts = {d: bare.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # max keeps the first on a tie
    return best if counts[best] else ","


def read_csv(path: Path) -> RawTable:
    """A CSV file as one table; the header is its first non-blank row."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _unreadable(path, "the file does not exist") from None
    except OSError as exc:
        raise _unreadable(path, f"cannot read the file: {exc.strerror or exc}") from None
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _unreadable(path, "not a text file: save it as CSV (UTF-8) or XLSX")
    text = _decode(data, path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    if not first_line:
        raise _unreadable(path, "the file is empty: expected a header row naming the columns")
    records = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first_line))
    try:
        return _table(str(path), None, enumerate(records, start=1))
    except csv.Error as exc:
        raise _unreadable(path, f"not a readable CSV file: {exc}") from None


def read_xlsx(path: Path, sheet_names: Collection[str] = ()) -> list[RawTable]:
    """The sheets of a workbook named (case-insensitively) in ``sheet_names``, or its first.

    Read-only mode streams rows instead of loading the workbook whole; ``data_only`` gives
    the values formulas last computed to, which is what the seller sees.
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise _unreadable(path, "the file does not exist") from None
    except OSError as exc:
        raise _unreadable(path, f"cannot read the file: {exc.strerror or exc}") from None
    # A handle rather than the path: openpyxl refuses a path not ending in .xlsx, and a
    # workbook saved as "export.csv" should still read. Read-only mode reads it lazily, so
    # it stays open until every sheet is read.
    with handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError) as exc:
            # openpyxl reports a damaged or foreign zip (.ods, .xlsb) through any of these.
            raise _unreadable(path, f"not a readable XLSX workbook ({exc})") from None
        try:
            return _sheets(path, workbook, sheet_names)
        finally:
            workbook.close()


def _sheets(path: Path, workbook: Any, sheet_names: Collection[str]) -> list[RawTable]:
    sheets = list(workbook.worksheets)
    if not sheets:
        raise _unreadable(path, "the workbook has no worksheet")
    wanted = {normalize_header(n) for n in sheet_names}
    chosen = [ws for ws in sheets if normalize_header(ws.title) in wanted] or sheets[:1]
    tables = []
    for sheet in chosen:
        # Some writers record wrong dimensions, which would cut rows off in read-only mode.
        sheet.reset_dimensions()
        source = f"{path} (sheet '{sheet.title}')"
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        tables.append(_table(source, sheet.title, rows))
    return tables


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and (value == "" or value.isspace()))


def _table(
    source: str, sheet: str | None, records: Iterable[tuple[int, Sequence[object]]]
) -> RawTable:
    """Header from the first non-blank record; blank rows are skipped but keep their number."""
    iterator = iter(records)
    header: tuple[str, ...] | None = None
    for _, record in iterator:
        if not all(_blank(v) for v in record):
            header = tuple(normalize_header(v) for v in record)
            break
    if header is None:
        raise InputValidationError(
            [FieldProblem(source, None, None, "empty: expected a header row naming the columns")]
        )
    while header and not header[-1]:  # trailing empty header cells are formatting, not columns
        header = header[:-1]
    width = len(header)
    named = [(i, name) for i, name in enumerate(header) if name]
    all_named = len(named) == width
    rows: list[RawRow] = []
    overlong: list[tuple[int, int]] = []
    for number, record in iterator:
        # Most rows start with a filled cell: one check instead of one per cell.
        if (not record or _blank(record[0])) and all(_blank(v) for v in record):
            continue
        if len(record) > width and not all(_blank(v) for v in record[width:]):
            last = max(i for i, v in enumerate(record) if not _blank(v))
            overlong.append((number, last + 1))
        if all_named:
            rows.append((number, dict(zip(header, record, strict=False))))
        else:
            rows.append((number, {name: record[i] for i, name in named if i < len(record)}))
    return RawTable(source, header, rows, sheet, tuple(overlong))
