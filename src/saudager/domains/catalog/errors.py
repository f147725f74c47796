"""Errors of the catalog domain: a purchase cost a seller typed that cannot be stored."""

from __future__ import annotations

from dataclasses import dataclass

from saudager.core.errors import SaudagerError

#: What each kind of problem expected, in words (the dashboard shows its own translations).
EXPECTED: dict[str, str] = {
    "money": "tenge such as 12 345 or 12345.50 (at most two decimals)",
    "non_negative": "an amount of 0 ₸ or more",
    "too_large": "at most 1 000 000 000 ₸",
    "date": "a date such as 2026-03-01 or 01.03.2026",
}


@dataclass(frozen=True, slots=True)
class CostProblem:
    """One bad field: which, what kind of value was expected (an ``EXPECTED`` key), and what
    was found."""

    field: str  # "cost" or "effective_from"
    expected: str
    found: str

    def __str__(self) -> str:
        return f"{self.field}: expected {EXPECTED[self.expected]}, got {self.found!r}"


class CostInputError(SaudagerError):
    """A purchase cost or its first day that cannot be stored; nothing was stored."""

    def __init__(self, problems: tuple[CostProblem, ...]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
