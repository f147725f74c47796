"""The rules of accounts as pure functions: names, passwords, secrets and the login rate limit.

No IO and no clock: the time is always an argument.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from saudager.domains.accounts.errors import AccountInputError
from saudager.domains.accounts.types import (
    LANGUAGES,
    MAX_PASSWORD_LENGTH,
    AccountRules,
    LoginAttempt,
    Role,
)

#: How API tokens start, so that one pasted in the wrong place is recognised (and found by
#: secret scanners).
API_TOKEN_PREFIX = "sgr_"  # noqa: S105 - a prefix, not a secret

USERNAME_MIN, USERNAME_MAX = 3, 64
MAX_DISPLAY_NAME = 100
MAX_TOKEN_NAME = 100
# Latin letters only: a Cyrillic "а" and a Latin "a" look alike, and two users must not.
_USERNAME = re.compile(r"[a-z0-9._@-]+")
# What a login may record of a name or an address it was given, however long.
_MAX_RECORDED = 200


def normalize_username(raw: str) -> str:
    """The stored form of a username: trimmed and lower-case; raises ``AccountInputError``."""
    name = raw.strip().lower()
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise AccountInputError(
            f"username {name!r}: expected {USERNAME_MIN}–{USERNAME_MAX} characters, got {len(name)}"
        )
    if not (name.isascii() and _USERNAME.fullmatch(name)):
        raise AccountInputError(
            f"username {name!r}: use only Latin letters, digits and the characters . _ - @"
        )
    return name


def login_name(raw: str) -> str:
    """The name a login attempt is looked up and counted under; never raises.

    Whatever was typed is counted, valid or not, so that guessing at names is limited too.
    """
    return raw.strip().lower()[:_MAX_RECORDED]


def login_client(raw: str) -> str:
    """The client address as recorded for the rate limit (bounded in length)."""
    return (raw.strip() or "unknown")[:_MAX_RECORDED]


def check_password(password: str, rules: AccountRules) -> str:
    """``password`` when it may be used; raises ``AccountInputError`` saying why not.

    The password itself is never put in the message.
    """
    if len(password) < rules.min_password_length:
        raise AccountInputError(
            f"password: expected at least {rules.min_password_length} characters, "
            f"got {len(password)}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountInputError(f"password: expected at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise AccountInputError("password: cannot be only spaces")
    return password


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise AccountInputError(
            f"language {language!r}: expected {' or '.join(repr(x) for x in LANGUAGES)}"
        )
    return language


def check_display_name(raw: str | None, username: str) -> str:
    """The trimmed display name, or the username when none is given."""
    name = (raw or "").strip() or username
    if len(name) > MAX_DISPLAY_NAME:
        raise AccountInputError(f"name: expected at most {MAX_DISPLAY_NAME} characters")
    return name


def check_token_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise AccountInputError("token name: cannot be empty")
    if len(name) > MAX_TOKEN_NAME:
        raise AccountInputError(f"token name: expected at most {MAX_TOKEN_NAME} characters")
    return name


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        names = ", ".join(role.value for role in Role)
        raise AccountInputError(f"role {raw!r}: expected one of {names}") from None


def new_secret() -> str:
    """A fresh random secret: 32 bytes (256 bits), URL-safe Base64."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    return API_TOKEN_PREFIX + new_secret()


def digest(secret: str) -> str:
    """What is stored of a session secret or API token: its SHA-256, in hex.

    The secrets are random and 256 bits long, so a fast digest is enough: there is nothing to
    guess, and a copy of the database cannot be replayed as a login.
    """
    return hashlib.sha256(secret.encode()).hexdigest()


def login_wait_seconds(
    attempts: Iterable[LoginAttempt],
    username: str,
    client: str,
    now: datetime,
    rules: AccountRules,
) -> int:
    """Seconds before ``username`` may try to sign in from ``client`` again; 0: it may now.

    A failed attempt at ``at`` counts while ``now - window < at``: one exactly ``window`` old no
    longer does. Failures are counted twice over, per username (from any client) and per client
    (for any username); with ``rules.login_attempts`` counted on either, the next attempt is
    refused until enough of them have aged out. A success forgives the earlier failures of the
    same username from the same client only: a user signing in does not clear what others
    tried on their name, and one who signs in to their own account does not clear what they
    tried on others'.

    ``attempts`` should hold at least every attempt of the window on the username or from the
    client; others are ignored.
    """
    window = timedelta(minutes=rules.login_window_minutes)
    start = now - window
    recent = [
        a for a in attempts if a.at > start and (a.username == username or a.client == client)
    ]
    last_success: dict[tuple[str, str], datetime] = {}
    for attempt in recent:
        if attempt.succeeded:
            key = (attempt.username, attempt.client)
            last_success[key] = max(attempt.at, last_success.get(key, attempt.at))

    def counts(attempt: LoginAttempt) -> bool:
        if attempt.succeeded:
            return False
        forgiven_until = last_success.get((attempt.username, attempt.client))
        return forgiven_until is None or attempt.at >= forgiven_until

    failures = [a for a in recent if counts(a)]
    wait = 0.0
    for mine in (
        sorted(a.at for a in failures if a.username == username),
        sorted(a.at for a in failures if a.client == client),
    ):
        excess = len(mine) - rules.login_attempts
        if excess >= 0:
            # Enough failures must age out to leave login_attempts - 1: the oldest excess + 1.
            frees_at = mine[excess] + window
            wait = max(wait, (frees_at - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else 0
