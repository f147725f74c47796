"""Accounts as the entry points use them: users, roles per shop, logins, sessions, API tokens.

Passwords are hashed (argon2id) and verified outside any transaction: hashing is slow on
purpose, and a database transaction held through it would hold up every writer on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from saudager.core.errors import NotFoundError
from saudager.domains.accounts import logic
from saudager.domains.accounts.errors import LastOwner, LoginRefused, TooManyAttempts
from saudager.domains.accounts.ports import AccountsStore, PasswordHasher
from saudager.domains.accounts.types import (
    AccountRules,
    ApiTokenInfo,
    Membership,
    Role,
    User,
    WebSession,
)
from saudager.domains.shops.types import Shop

#: An API token's ``last_used_at`` is brought up to date at most this often.
TOKEN_STAMP_INTERVAL = timedelta(minutes=1)

Clock = Callable[[], datetime]


class AccountsService:
    def __init__(
        self, store: AccountsStore, hasher: PasswordHasher, rules: AccountRules, clock: Clock
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._rules = rules
        self._clock = clock
        self._decoy_hash: str | None = None

    @property
    def rules(self) -> AccountRules:
        return self._rules

    # ---------------------------------------------------------------- users

    def add_user(
        self,
        username: str,
        password: str,
        *,
        display_name: str | None = None,
        language: str = "ru",
    ) -> User:
        """Raises ``AccountInputError`` for a bad name, password or language, ``UsernameTaken``."""
        name = logic.normalize_username(username)
        shown = logic.check_display_name(display_name, name)
        logic.check_language(language)
        hashed = self._hasher.hash(logic.check_password(password, self._rules))
        with self._store.transaction() as tx:
            return tx.add_user(name, hashed, shown, language, self._clock())

    def set_password(self, user_id: int, password: str) -> None:
        """Replace the password; every session of the user ends (API tokens stay)."""
        hashed = self._hasher.hash(logic.check_password(password, self._rules))
        with self._store.transaction() as tx:
            tx.set_password_hash(user_id, hashed)
            tx.delete_user_web_sessions(user_id)

    def set_language(self, user_id: int, language: str) -> None:
        logic.check_language(language)
        with self._store.transaction() as tx:
            tx.set_user_language(user_id, language)

    def get_user(self, user_id: int) -> User:
        """Raises ``NotFoundError``."""
        with self._store.transaction() as tx:
            return tx.get_user(user_id)

    def user_by_name(self, username: str) -> User:
        """Case does not matter; raises ``NotFoundError``."""
        with self._store.transaction() as tx:
            return tx.user_by_name(logic.login_name(username))

    def list_users(self) -> list[User]:
        """Ordered by username."""
        with self._store.transaction() as tx:
            return tx.list_users()

    # ---------------------------------------------------------- memberships

    def grant(self, user_id: int, shop_id: int, role: Role) -> Membership:
        """Make the user a member of the shop with ``role``, or change their role."""
        with self._store.transaction() as tx:
            return tx.set_membership(user_id, shop_id, Role(role))

    def revoke(self, user_id: int, shop_id: int) -> None:
        """Raises ``NotFoundError`` when the user is no member of the shop."""
        with self._store.transaction() as tx:
            if not tx.delete_membership(user_id, shop_id):
                raise NotFoundError(f"user {user_id} is not a member of shop {shop_id}")

    def set_member_role(self, shop_id: int, user_id: int, role: Role) -> Membership:
        """As :meth:`grant`, but refuses (``LastOwner``) to take the role of owner from the
        shop's last owner."""
        with self._store.transaction() as tx:
            if Role(role) != Role.OWNER:
                _keep_an_owner(tx.shop_members(shop_id), user_id)
            return tx.set_membership(user_id, shop_id, Role(role))

    def remove_member(self, shop_id: int, user_id: int) -> None:
        """As :meth:`revoke`, but refuses (``LastOwner``) to remove the shop's last owner."""
        with self._store.transaction() as tx:
            _keep_an_owner(tx.shop_members(shop_id), user_id)
            if not tx.delete_membership(user_id, shop_id):
                raise NotFoundError(f"user {user_id} is not a member of shop {shop_id}")

    def role(self, user_id: int, shop_id: int) -> Role | None:
        """The user's role in the shop; ``None``: not a member (or no such shop)."""
        with self._store.transaction() as tx:
            return tx.membership_role(user_id, shop_id)

    def shops_of(self, user_id: int) -> list[tuple[Shop, Role]]:
        """The shops the user is a member of, by name (ignoring case)."""
        with self._store.transaction() as tx:
            return tx.user_shops(user_id)

    def members(self, shop_id: int) -> list[tuple[User, Role]]:
        """The shop's members, by username."""
        with self._store.transaction() as tx:
            return tx.shop_members(shop_id)

    # --------------------------------------------------------------- logins

    def login(self, username: str, password: str, client: str) -> tuple[str, WebSession]:
        """Sign in: the session's secret (for the cookie; only its digest is stored) and the
        session, with a fresh CSRF token.

        Raises ``TooManyAttempts`` (the password is then not even checked, and the attempt is
        not counted) or ``LoginRefused``, which never says whether the user exists.
        """
        now = self._clock()
        name, address = logic.login_name(username), logic.login_client(client)
        window = timedelta(minutes=self._rules.login_window_minutes)
        with self._store.transaction() as tx:
            recent = tx.login_attempts_since(name, address, now - window)
            wait = logic.login_wait_seconds(recent, name, address, now, self._rules)
            if wait:
                raise TooManyAttempts(wait)
            # Counted as a failure until the password is found right: a login cut short
            # in between (a crash, a dropped connection) still counts.
            attempt = tx.add_login_attempt(name, address, now, succeeded=False)
            tx.delete_login_attempts_before(now - window)
            tx.delete_expired_web_sessions(now)
            found = tx.user_credentials(name)
        if found is None:
            # As slow as a real check, so that timing does not tell which names exist.
            self._hasher.verify(self._decoy(), password)
            raise LoginRefused()
        user, hashed = found
        if not self._hasher.verify(hashed, password):
            raise LoginRefused()
        rehashed = self._hasher.hash(password) if self._hasher.needs_rehash(hashed) else None
        secret, csrf = logic.new_secret(), logic.new_secret()
        expires_at = now + timedelta(days=self._rules.session_days)
        with self._store.transaction() as tx:
            tx.mark_login_succeeded(attempt)
            if rehashed is not None:
                tx.set_password_hash(user.id, rehashed)
            tx.add_web_session(logic.digest(secret), user.id, csrf, now, expires_at)
        return secret, WebSession(user=user, csrf_token=csrf, expires_at=expires_at)

    def session(self, secret: str) -> WebSession | None:
        """The live session of a cookie's secret; ``None`` when unknown or expired (an expired
        session is deleted). A session expires at ``expires_at`` exactly."""
        key = logic.digest(secret)
        now = self._clock()
        # Every page request asks: read without the write lock, write only to delete.
        with self._store.reading() as tx:
            found = tx.web_session(key)
        if found is None:
            return None
        if now >= found.expires_at:
            with self._store.transaction() as tx:
                tx.delete_web_session(key)
            return None
        return found

    def logout(self, secret: str) -> None:
        with self._store.transaction() as tx:
            tx.delete_web_session(logic.digest(secret))

    def _decoy(self) -> str:
        if self._decoy_hash is None:
            self._decoy_hash = self._hasher.hash(logic.new_secret())
        return self._decoy_hash

    # ----------------------------------------------------------- API tokens

    def issue_api_token(self, user_id: int, name: str) -> str:
        """A new API token for the user: shown this once, stored only as its digest."""
        label = logic.check_token_name(name)
        raw = logic.new_api_token()
        with self._store.transaction() as tx:
            tx.add_api_token(user_id, label, logic.digest(raw), self._clock())
        return raw

    def api_tokens(self, user_id: int) -> list[ApiTokenInfo]:
        """The user's tokens, oldest first (names and use, never the tokens)."""
        with self._store.transaction() as tx:
            return tx.api_tokens(user_id)

    def token_user(self, raw: str) -> User | None:
        """The user of an API token (its last use is stamped); ``None`` for an unknown one."""
        if not raw.startswith(logic.API_TOKEN_PREFIX):
            return None
        # Every API request asks: read without the write lock, and stamp the last use at most
        # once a minute, so a busy client does not queue a write behind every call.
        with self._store.reading() as tx:
            found = tx.api_token_use(logic.digest(raw))
        if found is None:
            return None
        user, token_id, used_at = found
        now = self._clock()
        if used_at is None or now - used_at >= TOKEN_STAMP_INTERVAL:
            with self._store.transaction() as tx:
                tx.stamp_api_token(token_id, now)
        return user

    def revoke_api_token(self, user_id: int, token_id: int) -> None:
        """Raises ``NotFoundError`` when the user has no such token."""
        with self._store.transaction() as tx:
            if not tx.delete_api_token(user_id, token_id):
                raise NotFoundError(f"user {user_id} has no API token {token_id}")


def _keep_an_owner(members: list[tuple[User, Role]], leaving: int) -> None:
    """Raises ``LastOwner`` when user ``leaving`` is an owner and no other member is."""
    owners = {user.id for user, role in members if role == Role.OWNER}
    if owners == {leaving}:
        raise LastOwner()
