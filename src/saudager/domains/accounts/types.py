"""Users, their roles in shops, their sessions and API tokens, and the rules of signing in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: The interface languages a user may choose.
LANGUAGES = ("ru", "en")


class Role(StrEnum):
    """What a member may do in one shop. Each role may do everything the one below it may.

    - ``viewer``: reads the shop's figures and reports.
    - ``manager``: also edits costs and commissions, imports files and starts syncs.
    - ``owner``: also manages the shop's Kaspi token, its settings and its members.
    """

    OWNER = "owner"
    MANAGER = "manager"
    VIEWER = "viewer"

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may (owner ≥ manager ≥ viewer)."""
        return _RANK[self] >= _RANK[needed]


_RANK = {Role.VIEWER: 0, Role.MANAGER: 1, Role.OWNER: 2}


@dataclass(frozen=True, slots=True)
class User:
    """A person who signs in. The password hash stays in storage, apart from this record."""

    id: int
    username: str  # lower-case, see ``logic.normalize_username``
    display_name: str
    language: str  # "ru" or "en"
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """A user's role in one shop; a user without one does not see the shop at all."""

    user_id: int
    shop_id: int
    role: Role


@dataclass(frozen=True, slots=True)
class WebSession:
    """A signed-in browser: its user, the token its forms must carry, and when it ends."""

    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ApiTokenInfo:
    """An API token as it may be shown again: never the token itself, only its name and use."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One try to sign in, kept for the rate limit (``logic.login_wait_seconds``)."""

    username: str
    client: str  # the client's address
    at: datetime
    succeeded: bool


@dataclass(frozen=True, slots=True)
class AccountRules:
    """Session lifetime, the login rate limit and the password rule (``docs/accounts.md``)."""

    #: A session ends this many days after its login.
    session_days: int = 14
    #: At most this many failed logins per username, and per client address, in the window…
    login_attempts: int = 5
    #: …of this many minutes; a failure exactly this old no longer counts.
    login_window_minutes: int = 15
    #: The shortest password accepted, in characters.
    min_password_length: int = 10

    def __post_init__(self) -> None:
        if self.session_days < 1:
            raise ValueError("session_days must be at least 1")
        if self.login_attempts < 1:
            raise ValueError("login_attempts must be at least 1")
        if self.login_window_minutes < 1:
            raise ValueError("login_window_minutes must be at least 1")
        if not 8 <= self.min_password_length <= MAX_PASSWORD_LENGTH:
            raise ValueError(f"min_password_length must be in [8, {MAX_PASSWORD_LENGTH}]")


#: The longest password accepted: long enough for any passphrase or manager, short enough that
#: hashing one costs what hashing any other does.
MAX_PASSWORD_LENGTH = 1024
