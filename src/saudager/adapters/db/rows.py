"""Rows to domain records."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Row

from saudager.domains.shops.types import Shop

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")


def from_row(cls: type[_D], row: Row[Any] | Any) -> _D:
    """A flat dataclass from the row's columns of the same names (extra columns ignored)."""
    mapping = row._mapping
    return cls(**{f.name: mapping[f.name] for f in dataclasses.fields(cls)})


def shop_from_row(row: Row[Any] | Any) -> Shop:
    """A shop from its columns; ``has_token`` is whether a token is stored, never the token."""
    return Shop(
        id=row.id, name=row.name, timezone=row.timezone, api_url=row.api_url,
        has_token=bool(row.has_token), requests_per_second=row.requests_per_second,
        created_at=row.created_at,
    )  # fmt: skip
