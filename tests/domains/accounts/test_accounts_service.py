"""AccountsService on a real store (SQLite, then PostgreSQL) with argon2 and a clock we move."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, func, select

from saudager.adapters.db import tables
from saudager.adapters.db.store import SqlStore
from saudager.adapters.passwords import Argon2Hasher
from saudager.core.errors import NotFoundError
from saudager.domains.accounts.errors import (
    AccountInputError,
    LastOwner,
    LoginRefused,
    TooManyAttempts,
    UsernameTaken,
)
from saudager.domains.accounts.service import AccountsService
from saudager.domains.accounts.types import AccountRules, Role
from saudager.domains.shops.types import Shop

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HOME, AWAY = "10.0.0.1", "203.0.113.7"
# Light enough for tests; production uses argon2-cffi's defaults.
LIGHT = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def store(engine: Engine, clock: Clock) -> SqlStore:
    return SqlStore(engine, clock=clock)


@pytest.fixture
def accounts(store: SqlStore, clock: Clock) -> AccountsService:
    return AccountsService(store, Argon2Hasher(**LIGHT), AccountRules(), clock)


def add_shop(store: SqlStore, name: str) -> Shop:
    with store.transaction() as tx:
        return tx.add_shop(name, "Asia/Almaty", None, None)


def count(engine: Engine, table: tables.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


# ---- users ------------------------------------------------------------------------------------


def test_users_are_added_found_by_any_case_and_listed(accounts: AccountsService) -> None:
    alice = accounts.add_user(" Alice ", PASSWORD, display_name="Алиса", language="en")
    assert (alice.username, alice.display_name, alice.language) == ("alice", "Алиса", "en")
    assert alice.created_at == T0
    bob = accounts.add_user("bob", PASSWORD)
    assert (bob.display_name, bob.language) == ("bob", "ru")
    assert accounts.get_user(alice.id) == alice
    assert accounts.user_by_name("ALICE") == alice
    assert accounts.list_users() == [alice, bob]
    with pytest.raises(UsernameTaken, match="'alice' is taken"):
        accounts.add_user("aLiCe", PASSWORD)
    with pytest.raises(NotFoundError, match="no user named 'carol'"):
        accounts.user_by_name("carol")
    with pytest.raises(NotFoundError, match="no user with id 999"):
        accounts.get_user(999)


def test_bad_input_is_refused_before_anything_is_written(
    accounts: AccountsService, engine: Engine
) -> None:
    with pytest.raises(AccountInputError, match="at least 10 characters"):
        accounts.add_user("alice", "short")
    with pytest.raises(AccountInputError, match="language 'kk'"):
        accounts.add_user("alice", PASSWORD, language="kk")
    with pytest.raises(AccountInputError, match="Latin letters"):
        accounts.add_user("али", PASSWORD)
    assert count(engine, tables.users) == 0
    alice = accounts.add_user("alice", PASSWORD)
    accounts.set_language(alice.id, "en")
    assert accounts.get_user(alice.id).language == "en"
    with pytest.raises(AccountInputError, match="expected 'ru' or 'en'"):
        accounts.set_language(alice.id, "de")
    with pytest.raises(NotFoundError):
        accounts.set_language(999, "ru")


def test_passwords_are_stored_as_argon2id_hashes(accounts: AccountsService, engine: Engine) -> None:
    accounts.add_user("alice", PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(select(tables.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


# ---- memberships ------------------------------------------------------------------------------


def test_roles_per_shop(accounts: AccountsService, store: SqlStore) -> None:
    zebra, apple = add_shop(store, "Zebra"), add_shop(store, "apple-store")
    alice, bob = accounts.add_user("alice", PASSWORD), accounts.add_user("bob", PASSWORD)
    assert accounts.role(alice.id, zebra.id) is None
    membership = accounts.grant(alice.id, zebra.id, Role.VIEWER)
    assert (membership.user_id, membership.shop_id, membership.role) == (
        alice.id,
        zebra.id,
        Role.VIEWER,
    )
    accounts.grant(alice.id, zebra.id, Role.OWNER)  # a second grant changes the role
    accounts.grant(alice.id, apple.id, Role.MANAGER)
    accounts.grant(bob.id, zebra.id, Role.VIEWER)
    assert accounts.role(alice.id, zebra.id) is Role.OWNER
    assert [(s.name, r) for s, r in accounts.shops_of(alice.id)] == [
        ("apple-store", Role.MANAGER),
        ("Zebra", Role.OWNER),
    ]
    assert [(u.username, r) for u, r in accounts.members(zebra.id)] == [
        ("alice", Role.OWNER),
        ("bob", Role.VIEWER),
    ]
    accounts.revoke(alice.id, zebra.id)
    assert accounts.role(alice.id, zebra.id) is None
    assert [s.name for s, _ in accounts.shops_of(alice.id)] == ["apple-store"]
    with pytest.raises(NotFoundError, match="not a member"):
        accounts.revoke(alice.id, zebra.id)
    with pytest.raises(NotFoundError, match="no shop with id 999"):
        accounts.grant(alice.id, 999, Role.VIEWER)
    with pytest.raises(NotFoundError, match="no user with id 999"):
        accounts.grant(999, zebra.id, Role.VIEWER)


def test_members_managed_from_the_shop_keep_an_owner(
    accounts: AccountsService, store: SqlStore
) -> None:
    shop = add_shop(store, "Shop")
    alice, bob = accounts.add_user("alice", PASSWORD), accounts.add_user("bob", PASSWORD)
    accounts.grant(alice.id, shop.id, Role.OWNER)
    accounts.set_member_role(shop.id, bob.id, Role.VIEWER)
    with pytest.raises(LastOwner, match="a shop needs an owner"):
        accounts.set_member_role(shop.id, alice.id, Role.MANAGER)
    with pytest.raises(LastOwner):
        accounts.remove_member(shop.id, alice.id)
    accounts.set_member_role(shop.id, bob.id, Role.OWNER)
    accounts.set_member_role(shop.id, alice.id, Role.MANAGER)  # bob is owner now
    accounts.remove_member(shop.id, alice.id)
    assert accounts.members(shop.id) == [(bob, Role.OWNER)]
    with pytest.raises(NotFoundError, match="not a member"):
        accounts.remove_member(shop.id, alice.id)


def test_shops_of_a_user_are_in_name_order_ignoring_case(
    accounts: AccountsService, store: SqlStore
) -> None:
    alice = accounts.add_user("alice", PASSWORD)
    for name in ("Мой магазин", "beta", "Alpha", "gamma"):
        accounts.grant(alice.id, add_shop(store, name).id, Role.VIEWER)
    assert [s.name for s, _ in accounts.shops_of(alice.id)] == [
        "Alpha",
        "beta",
        "gamma",
        "Мой магазин",
    ]


def test_deleting_a_shop_removes_its_memberships(
    accounts: AccountsService, store: SqlStore, engine: Engine
) -> None:
    shop = add_shop(store, "Gone")
    alice = accounts.add_user("alice", PASSWORD)
    accounts.grant(alice.id, shop.id, Role.OWNER)
    with engine.begin() as conn:
        conn.execute(delete(tables.shops).where(tables.shops.c.id == shop.id))
    assert accounts.role(alice.id, shop.id) is None
    assert accounts.shops_of(alice.id) == []
    assert count(engine, tables.memberships) == 0


# ---- logins and sessions ----------------------------------------------------------------------


def test_login_gives_a_session_known_by_digest_only(
    accounts: AccountsService, engine: Engine
) -> None:
    alice = accounts.add_user("alice", PASSWORD)
    secret, session = accounts.login("ALICE", PASSWORD, HOME)
    assert session.user == alice
    assert session.expires_at == T0 + timedelta(days=14)
    assert len(session.csrf_token) >= 43 and session.csrf_token != secret
    assert accounts.session(secret) == session
    with engine.connect() as conn:
        rows = conn.execute(select(tables.web_sessions)).all()
    assert [row.secret_digest for row in rows] == [hashlib.sha256(secret.encode()).hexdigest()]
    assert all(secret not in str(value) for row in rows for value in row)
    # A second login is a second session, with its own CSRF token.
    other, second = accounts.login("alice", PASSWORD, AWAY)
    assert other != secret and second.csrf_token != session.csrf_token
    assert accounts.session("not-a-session") is None


def test_wrong_password_and_unknown_user_say_the_same(accounts: AccountsService) -> None:
    accounts.add_user("alice", PASSWORD)
    with pytest.raises(LoginRefused) as wrong:
        accounts.login("alice", "wrong password!", HOME)
    with pytest.raises(LoginRefused) as unknown:
        accounts.login("mallory", PASSWORD, HOME)
    with pytest.raises(LoginRefused) as invalid:
        accounts.login("no such name at all!", PASSWORD, HOME)
    assert str(wrong.value) == str(unknown.value) == str(invalid.value)
    assert str(wrong.value) == "wrong username or password"


def test_a_session_ends_exactly_at_its_expiry_and_is_deleted(
    accounts: AccountsService, clock: Clock, engine: Engine
) -> None:
    accounts.add_user("alice", PASSWORD)
    secret, session = accounts.login("alice", PASSWORD, HOME)
    clock.now = session.expires_at - timedelta(microseconds=1)
    assert accounts.session(secret) == session
    clock.now = session.expires_at
    assert accounts.session(secret) is None
    assert count(engine, tables.web_sessions) == 0


def test_logout_ends_the_session(accounts: AccountsService) -> None:
    accounts.add_user("alice", PASSWORD)
    secret, _ = accounts.login("alice", PASSWORD, HOME)
    kept, _ = accounts.login("alice", PASSWORD, AWAY)
    accounts.logout(secret)
    assert accounts.session(secret) is None
    assert accounts.session(kept) is not None
    accounts.logout(secret)  # twice is harmless


def test_a_new_password_ends_every_session(accounts: AccountsService) -> None:
    alice = accounts.add_user("alice", PASSWORD)
    secret, _ = accounts.login("alice", PASSWORD, HOME)
    accounts.set_password(alice.id, "a brand new passphrase")
    assert accounts.session(secret) is None
    with pytest.raises(LoginRefused):
        accounts.login("alice", PASSWORD, HOME)
    accounts.login("alice", "a brand new passphrase", HOME)
    with pytest.raises(AccountInputError, match="at least 10"):
        accounts.set_password(alice.id, "short")


def test_a_hash_with_old_parameters_is_upgraded_at_login(
    store: SqlStore, clock: Clock, engine: Engine
) -> None:
    old = AccountsService(store, Argon2Hasher(**LIGHT), AccountRules(), clock)
    old.add_user("alice", PASSWORD)
    stronger = Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1)
    AccountsService(store, stronger, AccountRules(), clock).login("alice", PASSWORD, HOME)
    with engine.connect() as conn:
        stored = conn.execute(select(tables.users.c.password_hash)).scalar_one()
    assert "m=2048,t=2,p=1" in stored and not stronger.needs_rehash(stored)
    assert stronger.verify(stored, PASSWORD)


# ---- the login rate limit ---------------------------------------------------------------------


def fail_times(
    accounts: AccountsService, times: int, username: str = "alice", client: str = HOME
) -> None:
    for _ in range(times):
        with pytest.raises(LoginRefused):
            accounts.login(username, "wrong password!", client)


def test_the_fifth_failure_is_checked_and_the_sixth_try_refused_unchecked(
    accounts: AccountsService, clock: Clock, engine: Engine
) -> None:
    accounts.add_user("alice", PASSWORD)
    fail_times(accounts, 5)  # all five are checked, and refused as wrong
    attempts = count(engine, tables.login_attempts)
    with pytest.raises(TooManyAttempts) as refused:
        accounts.login("alice", PASSWORD, HOME)  # the right password does not help
    assert refused.value.retry_after_seconds == 15 * 60
    assert "try again in 900 s" in str(refused.value)
    assert count(engine, tables.login_attempts) == attempts  # a refused try is not counted
    # The failures were all at T0: one second before the window has passed, still refused…
    clock.now = T0 + timedelta(minutes=15) - timedelta(seconds=1)
    with pytest.raises(TooManyAttempts) as almost:
        accounts.login("alice", PASSWORD, HOME)
    assert almost.value.retry_after_seconds == 1
    # …and at exactly 15 minutes they no longer count.
    clock.now = T0 + timedelta(minutes=15)
    _, session = accounts.login("alice", PASSWORD, HOME)
    assert session.user.username == "alice"


def test_unknown_names_are_limited_per_client(accounts: AccountsService) -> None:
    for name in ("admin", "root", "owner", "test", "shop"):
        with pytest.raises(LoginRefused):
            accounts.login(name, PASSWORD, AWAY)
    with pytest.raises(TooManyAttempts):
        accounts.login("alice", PASSWORD, AWAY)  # any name, from that address
    accounts.add_user("alice", PASSWORD)
    accounts.login("alice", PASSWORD, HOME)  # another address is not held up


def test_a_success_does_not_erase_other_clients_failures(
    accounts: AccountsService, clock: Clock
) -> None:
    accounts.add_user("alice", PASSWORD)
    fail_times(accounts, 4, client=AWAY)
    clock.advance(minutes=1)
    accounts.login("alice", PASSWORD, HOME)  # alice herself signs in…
    clock.advance(minutes=1)
    fail_times(accounts, 1, client=AWAY)  # …and the guesser's fifth failure still counts
    with pytest.raises(TooManyAttempts) as refused:
        accounts.login("alice", "another guess!!", AWAY)
    assert refused.value.retry_after_seconds == 13 * 60
    # The name is held for everyone until the failures age out.
    with pytest.raises(TooManyAttempts):
        accounts.login("alice", PASSWORD, HOME)


def test_a_success_forgives_the_same_clients_own_earlier_failures(
    accounts: AccountsService, clock: Clock
) -> None:
    accounts.add_user("alice", PASSWORD)
    fail_times(accounts, 4)
    clock.advance(seconds=1)
    accounts.login("alice", PASSWORD, HOME)
    clock.advance(seconds=1)
    fail_times(accounts, 4)  # four new ones: five would have been refused without the success
    accounts.login("alice", PASSWORD, HOME)


def test_old_attempts_are_pruned_at_login(
    accounts: AccountsService, clock: Clock, engine: Engine
) -> None:
    accounts.add_user("alice", PASSWORD)
    fail_times(accounts, 3)
    clock.advance(minutes=15)
    accounts.login("alice", PASSWORD, HOME)
    with engine.connect() as conn:
        kept = conn.execute(select(tables.login_attempts.c.at)).scalars().all()
    assert kept == [T0 + timedelta(minutes=15)]


# ---- API tokens -------------------------------------------------------------------------------


def test_api_tokens_are_shown_once_and_stored_as_digests(
    accounts: AccountsService, clock: Clock, engine: Engine
) -> None:
    alice, bob = accounts.add_user("alice", PASSWORD), accounts.add_user("bob", PASSWORD)
    raw = accounts.issue_api_token(alice.id, " CI ")
    assert raw.startswith("sgr_") and len(raw) == 47
    with engine.connect() as conn:
        rows = conn.execute(select(tables.api_tokens)).all()
    assert [row.secret_digest for row in rows] == [hashlib.sha256(raw.encode()).hexdigest()]
    assert all(raw not in str(value) for row in rows for value in row)
    [info] = accounts.api_tokens(alice.id)
    assert (info.name, info.user_id, info.created_at, info.last_used_at) == (
        "CI",
        alice.id,
        T0,
        None,
    )
    clock.advance(hours=2)
    assert accounts.token_user(raw) == alice
    assert accounts.api_tokens(alice.id)[0].last_used_at == T0 + timedelta(hours=2)
    assert accounts.token_user(raw + "x") is None
    assert accounts.token_user("not-even-a-token") is None
    assert accounts.api_tokens(bob.id) == []
    with pytest.raises(NotFoundError, match="no API token"):
        accounts.revoke_api_token(bob.id, info.id)  # not bob's to revoke
    accounts.revoke_api_token(alice.id, info.id)
    assert accounts.token_user(raw) is None
    with pytest.raises(NotFoundError, match="no user with id 999"):
        accounts.issue_api_token(999, "ci")
    with pytest.raises(AccountInputError, match="token name"):
        accounts.issue_api_token(alice.id, "  ")


def test_a_token_is_stamped_at_most_once_a_minute(accounts: AccountsService, clock: Clock) -> None:
    alice = accounts.add_user("alice", PASSWORD)
    raw = accounts.issue_api_token(alice.id, "script")
    [info] = accounts.api_tokens(alice.id)
    assert info.last_used_at is None
    assert accounts.token_user(raw) == alice
    clock.advance(seconds=59)
    assert accounts.token_user(raw) == alice
    assert accounts.api_tokens(alice.id)[0].last_used_at == T0  # not yet a minute
    clock.advance(seconds=1)
    accounts.token_user(raw)
    assert accounts.api_tokens(alice.id)[0].last_used_at == T0 + timedelta(minutes=1)
