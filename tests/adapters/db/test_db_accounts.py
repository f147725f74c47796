"""The accounts part of the store against real SQLite and PostgreSQL: rows, bounds, cascades."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, select

from saudager.adapters.db import tables
from saudager.adapters.db.store import SqlStore
from saudager.core.errors import NotFoundError
from saudager.domains.accounts.errors import UsernameTaken
from saudager.domains.accounts.types import LoginAttempt, Role

T0 = datetime(2026, 3, 10, 9, 0, 0, 123456, tzinfo=UTC)
HASH = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"


def count(engine: Engine, table: tables.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_a_taken_username_leaves_the_transaction_usable(store: SqlStore) -> None:
    with store.transaction() as tx:
        alice = tx.add_user("alice", HASH, "Alice", "ru", T0)
        with pytest.raises(UsernameTaken):
            tx.add_user("alice", HASH, "Other", "en", T0)
        bob = tx.add_user("bob", HASH, "Bob", "en", T0)
    with store.transaction() as tx:
        assert tx.list_users() == [alice, bob]
        assert tx.user_credentials("alice") == (alice, HASH)
        assert tx.user_credentials("carol") is None
        tx.set_password_hash(bob.id, "new-hash")
        assert tx.user_credentials("bob") == (bob, "new-hash")
        with pytest.raises(NotFoundError):
            tx.set_password_hash(999, "x")


def test_instants_come_back_as_stored_in_utc(store: SqlStore) -> None:
    almaty = T0.astimezone(ZoneInfo("Asia/Almaty"))
    with store.transaction() as tx:
        user = tx.add_user("alice", HASH, "Alice", "ru", almaty)
        tx.add_web_session("d" * 64, user.id, "csrf", almaty, almaty + timedelta(days=14))
    with store.transaction() as tx:
        stored = tx.get_user(user.id)
        session = tx.web_session("d" * 64)
    assert stored.created_at == T0 and stored.created_at.utcoffset() == timedelta(0)
    assert session is not None and session.expires_at == T0 + timedelta(days=14)
    assert session.user == stored and session.csrf_token == "csrf"


def test_expired_sessions_are_deleted_up_to_and_including_now(store: SqlStore) -> None:
    with store.transaction() as tx:
        user = tx.add_user("alice", HASH, "Alice", "ru", T0)
        for key, ends in (
            ("a", T0 - timedelta(seconds=1)),
            ("b", T0),
            ("c", T0 + timedelta(microseconds=1)),
        ):
            tx.add_web_session(key * 64, user.id, "csrf", T0 - timedelta(days=1), ends)
    with store.transaction() as tx:
        assert tx.delete_expired_web_sessions(T0) == 2
        assert tx.web_session("a" * 64) is None and tx.web_session("b" * 64) is None
        assert tx.web_session("c" * 64) is not None
        assert tx.delete_user_web_sessions(user.id) == 1


def test_login_attempts_by_name_or_client_after_an_exclusive_start(store: SqlStore) -> None:
    rows = [
        ("alice", "1.1.1.1", T0 - timedelta(minutes=15), False),  # exactly at the start: out
        ("alice", "2.2.2.2", T0 - timedelta(minutes=10), False),
        ("bob", "1.1.1.1", T0 - timedelta(minutes=5), True),
        ("bob", "3.3.3.3", T0 - timedelta(minutes=1), False),  # neither name nor client
        ("alice", "1.1.1.1", T0, False),
    ]
    with store.transaction() as tx:
        ids = [tx.add_login_attempt(*row) for row in rows]
        tx.mark_login_succeeded(ids[-1])
    with store.transaction() as tx:
        found = tx.login_attempts_since("alice", "1.1.1.1", T0 - timedelta(minutes=15))
    assert found == [
        LoginAttempt("alice", "2.2.2.2", T0 - timedelta(minutes=10), False),
        LoginAttempt("bob", "1.1.1.1", T0 - timedelta(minutes=5), True),
        LoginAttempt("alice", "1.1.1.1", T0, True),
    ]
    with store.transaction() as tx:
        assert tx.delete_login_attempts_before(T0 - timedelta(minutes=10)) == 2
        left = tx.login_attempts_since("bob", "9.9.9.9", T0 - timedelta(days=1))
        assert [a.at for a in left] == [T0 - timedelta(minutes=5), T0 - timedelta(minutes=1)]


def test_memberships_insert_change_and_delete(store: SqlStore, shop_id: int) -> None:
    with store.transaction() as tx:
        user = tx.add_user("alice", HASH, "Alice", "ru", T0)
        tx.set_membership(user.id, shop_id, Role.VIEWER)
        tx.set_membership(user.id, shop_id, Role.MANAGER)
    with store.transaction() as tx:
        assert tx.membership_role(user.id, shop_id) is Role.MANAGER
        [(shop, role)] = tx.user_shops(user.id)
        assert (shop.id, shop.name, role) == (shop_id, "Test shop", Role.MANAGER)
        assert tx.shop_members(shop_id) == [(user, Role.MANAGER)]
        assert tx.delete_membership(user.id, shop_id) is True
        assert tx.delete_membership(user.id, shop_id) is False
        assert tx.membership_role(user.id, shop_id) is None
        with pytest.raises(NotFoundError, match="no shop"):
            tx.set_membership(user.id, shop_id + 100, Role.OWNER)


def test_api_tokens_by_digest_stamped_when_used(store: SqlStore) -> None:
    with store.transaction() as tx:
        user = tx.add_user("alice", HASH, "Alice", "ru", T0)
        first = tx.add_api_token(user.id, "ci", "1" * 64, T0)
        second = tx.add_api_token(user.id, "phone", "2" * 64, T0 + timedelta(seconds=1))
    with store.transaction() as tx:
        assert tx.api_token_user("2" * 64, T0 + timedelta(hours=1)) == user
        assert tx.api_token_user("3" * 64, T0) is None
    with store.transaction() as tx:
        listed = tx.api_tokens(user.id)
        assert [t.id for t in listed] == [first.id, second.id]
        assert [t.last_used_at for t in listed] == [None, T0 + timedelta(hours=1)]
        assert tx.delete_api_token(user.id + 1, first.id) is False
        assert tx.delete_api_token(user.id, first.id) is True
        with pytest.raises(NotFoundError):
            tx.add_api_token(999, "x", "4" * 64, T0)


def test_deleting_a_shop_or_a_user_cascades(store: SqlStore, shop_id: int, engine: Engine) -> None:
    with store.transaction() as tx:
        alice = tx.add_user("alice", HASH, "Alice", "ru", T0)
        bob = tx.add_user("bob", HASH, "Bob", "ru", T0)
        other = tx.add_shop("Other", "Asia/Almaty", None, None)
        for user in (alice, bob):
            tx.set_membership(user.id, shop_id, Role.OWNER)
            tx.set_membership(user.id, other.id, Role.VIEWER)
        tx.add_web_session("a" * 64, alice.id, "csrf", T0, T0 + timedelta(days=1))
        tx.add_api_token(alice.id, "ci", "1" * 64, T0)
    with engine.begin() as conn:
        conn.execute(delete(tables.shops).where(tables.shops.c.id == shop_id))
    with store.transaction() as tx:
        assert tx.shop_members(shop_id) == []
        assert [s.id for s, _ in tx.user_shops(alice.id)] == [other.id]
    with engine.begin() as conn:
        conn.execute(delete(tables.users).where(tables.users.c.id == alice.id))
    assert count(engine, tables.memberships) == 1  # bob's in the other shop
    assert count(engine, tables.web_sessions) == 0
    assert count(engine, tables.api_tokens) == 0
