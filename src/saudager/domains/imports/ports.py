"""What the imports domain needs from the outside world: a way to read a file into tables."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Protocol

from saudager.domains.imports.types import RawTable


class TableReader(Protocol):
    """Reads a CSV or XLSX file into raw tables (``saudager.adapters.files.TabularFileReader``)."""

    def read_tables(self, path: Path, sheet_names: Collection[str] = ()) -> list[RawTable]:
        """The tables of ``path``: one for a CSV file; for a workbook, every sheet whose
        normalised name is in ``sheet_names``, or the first sheet when none is.

        Raises ``InputValidationError`` with one file-level ``FieldProblem`` naming the file
        when it cannot be read at all (missing, not CSV/XLSX, undecodable, empty).
        """
        ...
