"""Rows to domain records."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")


def from_row(cls: type[_D], row: Row[Any] | Any) -> _D:
    """A flat dataclass from the row's columns of the same names (extra columns ignored)."""
    mapping = row._mapping
    return cls(**{f.name: mapping[f.name] for f in dataclasses.fields(cls)})
