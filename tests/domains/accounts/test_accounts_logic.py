"""The pure rules of accounts: names, passwords, secrets, roles and the login rate limit."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from saudager.domains.accounts import logic
from saudager.domains.accounts.errors import AccountInputError
from saudager.domains.accounts.types import AccountRules, LoginAttempt, Role

RULES = AccountRules()  # 5 failures in 15 minutes
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("alice", "alice"),
        ("  Alice  ", "alice"),
        ("A.Smith-2_x@shop.kz", "a.smith-2_x@shop.kz"),
        ("abc", "abc"),
        ("a" * 64, "a" * 64),
    ],
)
def test_usernames_are_trimmed_and_lower_cased(raw: str, stored: str) -> None:
    assert logic.normalize_username(raw) == stored


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("ab", "expected 3–64 characters, got 2"),
        ("a" * 65, "expected 3–64 characters, got 65"),
        ("   ", "got 0"),
        ("al ice", "Latin letters, digits"),
        ("алиса", "Latin letters, digits"),  # Cyrillic: looks like Latin, must not pass
        ("bob!", "Latin letters, digits"),
        ("ﬁle", "Latin letters, digits"),  # a ligature, lower() keeps it
    ],
)
def test_bad_usernames_say_what_is_expected(raw: str, says: str) -> None:
    with pytest.raises(AccountInputError, match=re.escape(says)):
        logic.normalize_username(raw)


def test_passwords_need_the_minimum_length_and_never_appear_in_errors() -> None:
    assert logic.check_password("0123456789", RULES) == "0123456789"
    with pytest.raises(AccountInputError, match="at least 10 characters, got 9") as short:
        logic.check_password("secret123", RULES)
    assert "secret123" not in str(short.value)
    with pytest.raises(AccountInputError, match="only spaces"):
        logic.check_password(" " * 12, RULES)
    with pytest.raises(AccountInputError, match="at most 1024"):
        logic.check_password("x" * 1025, RULES)
    assert logic.check_password("пароль-из-кириллицы", AccountRules(min_password_length=12))


def test_languages_roles_and_names() -> None:
    assert logic.check_language("en") == "en"
    with pytest.raises(AccountInputError, match="expected 'ru' or 'en'"):
        logic.check_language("kk")
    assert logic.parse_role(" Manager ") is Role.MANAGER
    with pytest.raises(AccountInputError, match="expected one of owner, manager, viewer"):
        logic.parse_role("admin")
    assert logic.check_display_name("  ", "alice") == "alice"
    assert logic.check_display_name(" Алиса ", "alice") == "Алиса"
    with pytest.raises(AccountInputError, match="cannot be empty"):
        logic.check_token_name("  ")


@pytest.mark.parametrize(
    ("have", "needed", "allowed"),
    [
        (Role.OWNER, Role.OWNER, True),
        (Role.OWNER, Role.MANAGER, True),
        (Role.OWNER, Role.VIEWER, True),
        (Role.MANAGER, Role.OWNER, False),
        (Role.MANAGER, Role.MANAGER, True),
        (Role.MANAGER, Role.VIEWER, True),
        (Role.VIEWER, Role.OWNER, False),
        (Role.VIEWER, Role.MANAGER, False),
        (Role.VIEWER, Role.VIEWER, True),
    ],
)
def test_roles_are_ordered_owner_manager_viewer(have: Role, needed: Role, allowed: bool) -> None:
    assert have.allows(needed) is allowed


def test_secrets_are_random_and_stored_as_sha256() -> None:
    first, second = logic.new_secret(), logic.new_secret()
    assert first != second and len(first) == 43  # 32 bytes, URL-safe Base64 without padding
    token = logic.new_api_token()
    assert token.startswith("sgr_") and len(token) == 4 + 43
    assert logic.digest(first) == hashlib.sha256(first.encode()).hexdigest()
    assert len(logic.digest(first)) == 64 and first not in logic.digest(first)


def test_account_rules_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="login_attempts"):
        AccountRules(login_attempts=0)
    with pytest.raises(ValueError, match="min_password_length"):
        AccountRules(min_password_length=4)


# ---- the rate limit ---------------------------------------------------------------------------


def fail(ago: timedelta, username: str = "alice", client: str = "10.0.0.1") -> LoginAttempt:
    return LoginAttempt(username=username, client=client, at=NOW - ago, succeeded=False)


def ok(ago: timedelta, username: str = "alice", client: str = "10.0.0.1") -> LoginAttempt:
    return LoginAttempt(username=username, client=client, at=NOW - ago, succeeded=True)


def wait(attempts: list[LoginAttempt], username: str = "alice", client: str = "10.0.0.1") -> int:
    return logic.login_wait_seconds(attempts, username, client, NOW, RULES)


MINUTE = timedelta(minutes=1)


def test_four_failures_allow_a_fifth_try_and_five_refuse_a_sixth() -> None:
    four = [fail(MINUTE * i) for i in range(1, 5)]
    assert wait([]) == 0
    assert wait(four) == 0
    # Five failures, the oldest 5 minutes ago: it stops counting 10 minutes from now.
    assert wait([*four, fail(MINUTE * 5)]) == 10 * 60


def test_a_failure_exactly_the_window_old_no_longer_counts() -> None:
    recent = [fail(MINUTE * i) for i in range(1, 5)]
    assert wait([*recent, fail(WINDOW)]) == 0
    # One microsecond younger, it still counts, for one more (rounded-up) second.
    assert wait([*recent, fail(WINDOW - timedelta(microseconds=1))]) == 1
    assert wait([*recent, fail(WINDOW - timedelta(seconds=30))]) == 30


def test_the_wait_lasts_until_enough_failures_age_out() -> None:
    # Seven failures: three must age out to leave four, so the third oldest decides.
    seven = [fail(MINUTE * i) for i in (14, 13, 12, 3, 2, 1, 0)]
    assert wait(seven) == 3 * 60
    assert logic.login_wait_seconds(seven, "alice", "10.0.0.1", NOW + 3 * MINUTE, RULES) == 0


def test_failures_count_per_username_from_any_client() -> None:
    spread = [fail(MINUTE, client=f"10.0.0.{i}") for i in range(5)]
    assert wait(spread, client="192.168.1.1") == 14 * 60
    assert wait(spread, username="bob", client="192.168.1.1") == 0


def test_failures_count_per_client_for_any_username() -> None:
    spread = [fail(MINUTE, username=f"user{i}") for i in range(5)]
    assert wait(spread, username="someone-else") == 14 * 60
    assert wait(spread, username="someone-else", client="10.0.0.2") == 0


def test_a_success_forgives_only_the_same_clients_earlier_failures_on_the_name() -> None:
    own = [fail(MINUTE * i) for i in (10, 9, 8, 7)]
    assert wait([*own, ok(MINUTE * 6), fail(MINUTE)]) == 0  # the four are forgiven
    assert wait([*own, fail(MINUTE * 6)]) == 5 * 60  # without the success: five count
    # Someone else's failures on alice's name are not forgiven by alice signing in.
    others = [fail(MINUTE * i, client="6.6.6.6") for i in (10, 9, 8, 7, 6)]
    assert wait([*others, ok(MINUTE * 2)]) == 5 * 60
    # Signing in to one's own account does not forgive failures on other names.
    guesses = [fail(MINUTE * i, username=f"victim{i}") for i in (10, 9, 8, 7, 6)]
    assert wait([*guesses, ok(MINUTE * 2, username="mallory")], username="mallory") == 5 * 60
    # A failure after the success counts again.
    assert wait([ok(MINUTE * 11), *[fail(MINUTE * i) for i in range(1, 6)]]) == 10 * 60


def test_attempts_of_other_names_and_clients_are_ignored() -> None:
    unrelated = [fail(MINUTE, username="bob", client="10.9.9.9") for _ in range(10)]
    assert wait(unrelated) == 0
