"""What the accounts domain needs: a password hasher and storage."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from saudager.domains.accounts.types import (
    ApiTokenInfo,
    LoginAttempt,
    Membership,
    Role,
    User,
    WebSession,
)
from saudager.domains.shops.types import Shop


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    def hash(self, password: str) -> str:
        """The encoded hash (with its algorithm, parameters and salt)."""
        ...

    def verify(self, hashed: str, password: str) -> bool:
        """Whether ``password`` is the one ``hashed`` was made from; never raises for a
        mismatch or a malformed hash."""
        ...

    def needs_rehash(self, hashed: str) -> bool:
        """Whether ``hashed`` was made with weaker parameters than the hasher's own."""
        ...


class AccountsTx(Protocol):
    """Users, memberships, sessions, API tokens and login attempts inside one transaction.

    Secrets arrive here as digests only (``logic.digest``); the store never sees them plain.
    """

    # ---- users

    def add_user(
        self,
        username: str,
        password_hash: str,
        display_name: str,
        language: str,
        created_at: datetime,
    ) -> User:
        """Raises ``UsernameTaken``; the transaction stays usable."""
        ...

    def get_user(self, user_id: int) -> User:
        """Raises ``NotFoundError``."""
        ...

    def user_by_name(self, username: str) -> User:
        """By the stored (lower-case) username; raises ``NotFoundError``."""
        ...

    def list_users(self) -> list[User]:
        """Ordered by username."""
        ...

    def user_credentials(self, username: str) -> tuple[User, str] | None:
        """The user and their password hash, or ``None`` for an unknown username."""
        ...

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Raises ``NotFoundError``."""
        ...

    def set_user_language(self, user_id: int, language: str) -> None:
        """Raises ``NotFoundError``."""
        ...

    # ---- memberships

    def set_membership(self, user_id: int, shop_id: int, role: Role) -> Membership:
        """Insert or change; raises ``NotFoundError`` for an unknown user or shop."""
        ...

    def delete_membership(self, user_id: int, shop_id: int) -> bool:
        """Whether there was one."""
        ...

    def membership_role(self, user_id: int, shop_id: int) -> Role | None: ...

    def user_shops(self, user_id: int) -> list[tuple[Shop, Role]]:
        """Ordered by shop name, ignoring case."""
        ...

    def shop_members(self, shop_id: int) -> list[tuple[User, Role]]:
        """Ordered by username."""
        ...

    # ---- web sessions

    def add_web_session(
        self,
        secret_digest: str,
        user_id: int,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...

    def web_session(self, secret_digest: str) -> WebSession | None:
        """The session with its user, expired or not; ``None`` when unknown."""
        ...

    def delete_web_session(self, secret_digest: str) -> None: ...

    def delete_user_web_sessions(self, user_id: int) -> int:
        """Every session of the user; how many there were."""
        ...

    def delete_expired_web_sessions(self, now: datetime) -> int:
        """Sessions with ``expires_at <= now``; how many there were."""
        ...

    # ---- API tokens

    def add_api_token(
        self, user_id: int, name: str, secret_digest: str, created_at: datetime
    ) -> ApiTokenInfo:
        """Raises ``NotFoundError`` for an unknown user."""
        ...

    def api_tokens(self, user_id: int) -> list[ApiTokenInfo]:
        """Oldest first."""
        ...

    def api_token_user(self, secret_digest: str, used_at: datetime) -> User | None:
        """The token's user, stamping its ``last_used_at``; ``None`` for an unknown token."""
        ...

    def api_token_use(self, secret_digest: str) -> tuple[User, int, datetime | None] | None:
        """The token's user, its id and when it was last used (read only); ``None`` for an
        unknown token."""
        ...

    def stamp_api_token(self, token_id: int, used_at: datetime) -> None: ...

    def delete_api_token(self, user_id: int, token_id: int) -> bool:
        """Whether the user had that token."""
        ...

    # ---- login attempts

    def login_attempts_since(
        self, username: str, client: str, since: datetime
    ) -> list[LoginAttempt]:
        """Attempts after ``since`` (exclusive) on ``username`` or from ``client``, oldest first."""
        ...

    def add_login_attempt(self, username: str, client: str, at: datetime, succeeded: bool) -> int:
        """The attempt's id."""
        ...

    def mark_login_succeeded(self, attempt_id: int) -> None: ...

    def delete_login_attempts_before(self, cutoff: datetime) -> int:
        """Attempts at or before ``cutoff``; how many there were."""
        ...


class AccountsStore(Protocol):
    def transaction(self) -> AbstractContextManager[AccountsTx]:
        """A unit of work: everything done in it commits together, or nothing does."""
        ...

    def reading(self) -> AbstractContextManager[AccountsTx]:
        """A unit of work that only reads and holds up no writer (every request's check)."""
        ...
