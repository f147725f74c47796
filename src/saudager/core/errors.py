"""Errors a seller may see. Messages say what was wrong and what was expected."""

from __future__ import annotations

from dataclasses import dataclass


class SaudagerError(Exception):
    """Base of every error Saudager raises on purpose."""


class NotFoundError(SaudagerError):
    """A shop, order or file that does not exist (or is not yours)."""


class ConfigurationError(SaudagerError):
    """A setting is missing or wrong."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad value in an input file: where it is and what was expected."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class InputValidationError(SaudagerError):
    """An input file failed validation; nothing from it was written."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s); nothing was imported:\n{shown}{more}")
