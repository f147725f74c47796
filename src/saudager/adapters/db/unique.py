"""A row by its natural key: read one that must exist, insert one whose key may be taken (a
shop's name, a username), update or insert a setting."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Insert, Row, Select, Update
from sqlalchemy.exc import IntegrityError

from saudager.core.errors import NotFoundError


def one_or_missing(conn: Connection, statement: Select[Any], missing: str) -> Row[Any]:
    """The one row ``statement`` finds; :class:`NotFoundError` saying ``missing`` otherwise."""
    row = conn.execute(statement).one_or_none()
    if row is None:
        raise NotFoundError(missing)
    return row


def insert_new(conn: Connection, statement: Insert, taken: Exception) -> int:
    """Run ``statement`` in a savepoint and return the new row's id; raise ``taken`` when a
    unique key refuses it. The savepoint leaves the caller's transaction usable (PostgreSQL
    aborts the whole transaction on an error otherwise)."""
    try:
        with conn.begin_nested():
            result: Any = conn.execute(statement)
    except IntegrityError as exc:
        raise taken from exc
    assert result.inserted_primary_key is not None
    return int(result.inserted_primary_key[0])


def update_or_insert(conn: Connection, change: Update, add: Insert) -> None:
    """Update a row by its natural key, or insert it when there is none yet. Two first writes
    at once: the loser's insert fails in its savepoint and it updates the winner's row."""
    if conn.execute(change).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(add)
    except IntegrityError:
        conn.execute(change)
