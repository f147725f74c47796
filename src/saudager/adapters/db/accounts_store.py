"""The accounts part of ``SqlStoreTx``: users, memberships, sessions, API tokens, login attempts.

A mixin, so that one transaction serves every domain; it maps rows to the accounts domain's
dataclasses. Secrets arrive as digests: nothing here ever holds a session secret or a token.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from saudager.adapters.db import tables as t
from saudager.adapters.db.rows import from_row, shop_from_row
from saudager.adapters.db.unique import insert_new, one_or_missing
from saudager.core.errors import NotFoundError
from saudager.domains.accounts.errors import UsernameTaken
from saudager.domains.accounts.types import (
    ApiTokenInfo,
    LoginAttempt,
    Membership,
    Role,
    User,
    WebSession,
)
from saudager.domains.shops.types import Shop

_AnyRow = Row[*tuple[Any, ...]]
#: The largest id an integer column holds (SQLite INTEGER, PostgreSQL BIGINT). A larger one, as
#: a URL may carry, names nothing: the lookups answer "none" instead of failing in the driver.
_MAX_ID = 2**63 - 1


def _ids_fit(*ids: int) -> bool:
    return all(-_MAX_ID - 1 <= value <= _MAX_ID for value in ids)


_USER_COLUMNS: tuple[ColumnElement[Any], ...] = (
    t.users.c.id,
    t.users.c.username,
    t.users.c.display_name,
    t.users.c.language,
    t.users.c.created_at,
)
_USER_SELECT = select(*_USER_COLUMNS)
_SHOP_COLUMNS: tuple[ColumnElement[Any], ...] = (
    t.shops.c.id,
    t.shops.c.name,
    t.shops.c.timezone,
    t.shops.c.api_url,
    t.shops.c.token_ciphertext.is_not(None).label("has_token"),
    t.shops.c.requests_per_second,
    t.shops.c.created_at,
)
_TOKEN_SELECT = select(
    t.api_tokens.c.id,
    t.api_tokens.c.user_id,
    t.api_tokens.c.name,
    t.api_tokens.c.created_at,
    t.api_tokens.c.last_used_at,
)


class AccountsStoreMixin:
    """Storage of the accounts domain (``AccountsTx``), on the transaction's connection."""

    _conn: Connection
    _dialect: str

    # ---------------------------------------------------------------- users

    def add_user(
        self,
        username: str,
        password_hash: str,
        display_name: str,
        language: str,
        created_at: datetime,
    ) -> User:
        user_id = insert_new(
            self._conn,
            insert(t.users).values(
                username=username, password_hash=password_hash, display_name=display_name,
                language=language, created_at=created_at,
            ),
            UsernameTaken(username),
        )  # fmt: skip
        return User(
            id=user_id,
            username=username,
            display_name=display_name,
            language=language,
            created_at=created_at,
        )

    def get_user(self, user_id: int) -> User:
        missing = f"no user with id {user_id}"
        if not _ids_fit(user_id):
            raise NotFoundError(missing)
        where = _USER_SELECT.where(t.users.c.id == user_id)
        return _user(one_or_missing(self._conn, where, missing))

    def user_by_name(self, username: str) -> User:
        where = _USER_SELECT.where(t.users.c.username == username)
        return _user(one_or_missing(self._conn, where, f"no user named {username!r}"))

    def list_users(self) -> list[User]:
        return [_user(row) for row in self._conn.execute(_USER_SELECT.order_by(t.users.c.username))]

    def user_credentials(self, username: str) -> tuple[User, str] | None:
        row = self._conn.execute(
            select(*_USER_COLUMNS, t.users.c.password_hash).where(t.users.c.username == username)
        ).one_or_none()
        return None if row is None else (_user(row), row.password_hash)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._update_user(user_id, password_hash=password_hash)

    def set_user_language(self, user_id: int, language: str) -> None:
        self._update_user(user_id, language=language)

    def _update_user(self, user_id: int, **values: Any) -> None:
        result = self._conn.execute(update(t.users).where(t.users.c.id == user_id).values(**values))
        if result.rowcount == 0:
            raise NotFoundError(f"no user with id {user_id}")

    # ---------------------------------------------------------- memberships

    def set_membership(self, user_id: int, shop_id: int, role: Role) -> Membership:
        self.get_user(user_id)
        if self._conn.execute(select(t.shops.c.id).where(t.shops.c.id == shop_id)).first() is None:
            raise NotFoundError(f"no shop with id {shop_id}")
        table = t.memberships
        stmt = (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)
        self._conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["user_id", "shop_id"], set_={"role": stmt.excluded.role}
            ),
            {"user_id": user_id, "shop_id": shop_id, "role": role.value},
        )
        return Membership(user_id=user_id, shop_id=shop_id, role=role)

    def delete_membership(self, user_id: int, shop_id: int) -> bool:
        if not _ids_fit(user_id, shop_id):
            return False
        result = self._conn.execute(
            delete(t.memberships).where(
                t.memberships.c.user_id == user_id, t.memberships.c.shop_id == shop_id
            )
        )
        return result.rowcount > 0

    def membership_role(self, user_id: int, shop_id: int) -> Role | None:
        if not _ids_fit(user_id, shop_id):
            return None
        role = self._conn.execute(
            select(t.memberships.c.role).where(
                t.memberships.c.user_id == user_id, t.memberships.c.shop_id == shop_id
            )
        ).scalar_one_or_none()
        return None if role is None else Role(role)

    def user_shops(self, user_id: int) -> list[tuple[Shop, Role]]:
        rows = self._conn.execute(
            select(*_SHOP_COLUMNS, t.memberships.c.role)
            .join(t.memberships, t.memberships.c.shop_id == t.shops.c.id)
            .where(t.memberships.c.user_id == user_id)
        )
        shops = [(shop_from_row(row), Role(row.role)) for row in rows]
        # Sorted here: the databases' collations disagree on case ("Zebra" and "apple").
        return sorted(shops, key=lambda pair: (pair[0].name.casefold(), pair[0].name, pair[0].id))

    def shop_members(self, shop_id: int) -> list[tuple[User, Role]]:
        rows = self._conn.execute(
            select(*_USER_COLUMNS, t.memberships.c.role)
            .join(t.memberships, t.memberships.c.user_id == t.users.c.id)
            .where(t.memberships.c.shop_id == shop_id)
            .order_by(t.users.c.username)
        )
        return [(_user(row), Role(row.role)) for row in rows]

    # --------------------------------------------------------- web sessions

    def add_web_session(
        self,
        secret_digest: str,
        user_id: int,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        self._conn.execute(
            insert(t.web_sessions).values(
                secret_digest=secret_digest,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def web_session(self, secret_digest: str) -> WebSession | None:
        s = t.web_sessions
        row = self._conn.execute(
            select(*_USER_COLUMNS, s.c.csrf_token, s.c.expires_at)
            .join(s, s.c.user_id == t.users.c.id)
            .where(s.c.secret_digest == secret_digest)
        ).one_or_none()
        if row is None:
            return None
        return WebSession(user=_user(row), csrf_token=row.csrf_token, expires_at=row.expires_at)

    def delete_web_session(self, secret_digest: str) -> None:
        self._conn.execute(
            delete(t.web_sessions).where(t.web_sessions.c.secret_digest == secret_digest)
        )

    def delete_user_web_sessions(self, user_id: int) -> int:
        result = self._conn.execute(
            delete(t.web_sessions).where(t.web_sessions.c.user_id == user_id)
        )
        return result.rowcount

    def delete_expired_web_sessions(self, now: datetime) -> int:
        result = self._conn.execute(
            delete(t.web_sessions).where(t.web_sessions.c.expires_at <= now)
        )
        return result.rowcount

    # ----------------------------------------------------------- API tokens

    def add_api_token(
        self, user_id: int, name: str, secret_digest: str, created_at: datetime
    ) -> ApiTokenInfo:
        self.get_user(user_id)
        result = self._conn.execute(
            insert(t.api_tokens).values(
                user_id=user_id, name=name, secret_digest=secret_digest, created_at=created_at
            )
        )
        assert result.inserted_primary_key is not None
        return ApiTokenInfo(
            id=int(result.inserted_primary_key[0]),
            user_id=user_id,
            name=name,
            created_at=created_at,
            last_used_at=None,
        )

    def api_tokens(self, user_id: int) -> list[ApiTokenInfo]:
        rows = self._conn.execute(
            _TOKEN_SELECT.where(t.api_tokens.c.user_id == user_id).order_by(
                t.api_tokens.c.created_at, t.api_tokens.c.id
            )
        )
        return [from_row(ApiTokenInfo, row) for row in rows]

    def api_token_user(self, secret_digest: str, used_at: datetime) -> User | None:
        k = t.api_tokens
        row = self._conn.execute(
            select(*_USER_COLUMNS, k.c.id.label("token_id"))
            .join(k, k.c.user_id == t.users.c.id)
            .where(k.c.secret_digest == secret_digest)
        ).one_or_none()
        if row is None:
            return None
        self._conn.execute(update(k).where(k.c.id == row.token_id).values(last_used_at=used_at))
        return _user(row)

    def api_token_use(self, secret_digest: str) -> tuple[User, int, datetime | None] | None:
        k = t.api_tokens
        row = self._conn.execute(
            select(*_USER_COLUMNS, k.c.id.label("token_id"), k.c.last_used_at.label("used_at"))
            .join(k, k.c.user_id == t.users.c.id)
            .where(k.c.secret_digest == secret_digest)
        ).one_or_none()
        return None if row is None else (_user(row), int(row.token_id), row.used_at)

    def stamp_api_token(self, token_id: int, used_at: datetime) -> None:
        k = t.api_tokens
        self._conn.execute(update(k).where(k.c.id == token_id).values(last_used_at=used_at))

    def delete_api_token(self, user_id: int, token_id: int) -> bool:
        k = t.api_tokens
        result = self._conn.execute(delete(k).where(k.c.id == token_id, k.c.user_id == user_id))
        return result.rowcount > 0

    # ------------------------------------------------------- login attempts

    def login_attempts_since(
        self, username: str, client: str, since: datetime
    ) -> list[LoginAttempt]:
        a = t.login_attempts
        rows = self._conn.execute(
            select(a.c.username, a.c.client, a.c.at, a.c.succeeded)
            .where(a.c.at > since, or_(a.c.username == username, a.c.client == client))
            .order_by(a.c.at, a.c.id)
        )
        return [
            LoginAttempt(
                username=row.username, client=row.client, at=row.at, succeeded=row.succeeded
            )
            for row in rows
        ]

    def add_login_attempt(self, username: str, client: str, at: datetime, succeeded: bool) -> int:
        result = self._conn.execute(
            insert(t.login_attempts).values(
                username=username, client=client, at=at, succeeded=succeeded
            )
        )
        assert result.inserted_primary_key is not None
        return int(result.inserted_primary_key[0])

    def mark_login_succeeded(self, attempt_id: int) -> None:
        self._conn.execute(
            update(t.login_attempts)
            .where(t.login_attempts.c.id == attempt_id)
            .values(succeeded=True)
        )

    def delete_login_attempts_before(self, cutoff: datetime) -> int:
        result = self._conn.execute(delete(t.login_attempts).where(t.login_attempts.c.at <= cutoff))
        return result.rowcount


def _user(row: _AnyRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        language=row.language,
        created_at=row.created_at,
    )
