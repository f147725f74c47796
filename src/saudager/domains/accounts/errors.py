"""Errors of the accounts domain. Signing in fails with one message whatever the reason."""

from __future__ import annotations

from saudager.core.errors import SaudagerError


class AccountInputError(SaudagerError):
    """A username, password, language, role or token name that breaks the rules."""


class UsernameTaken(AccountInputError):
    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"the username {username!r} is taken: choose another")


class LoginRefused(SaudagerError):
    """Unknown user or wrong password: the message never says which."""

    MESSAGE = "wrong username or password"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class TooManyAttempts(SaudagerError):
    """Too many failed logins lately for the username or from the client address."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(
            f"too many failed logins: try again in {retry_after_seconds} s"
            f" (about {-(-retry_after_seconds // 60)} min)"
        )


class LastOwner(SaudagerError):
    """A change that would leave a shop without an owner (one who may manage its members)."""

    def __init__(self) -> None:
        super().__init__("a shop needs an owner: make another member owner first")
