"""Argon2Hasher: argon2id with argon2-cffi's defaults, lighter parameters for tests only."""

from __future__ import annotations

import argon2

from saudager.adapters.passwords import Argon2Hasher

LIGHT = Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_hashes_verify_and_are_salted() -> None:
    first, second = LIGHT.hash("correct horse battery"), LIGHT.hash("correct horse battery")
    assert first.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert first != second  # a fresh salt each time
    assert LIGHT.verify(first, "correct horse battery")
    assert not LIGHT.verify(first, "Correct horse battery")
    assert LIGHT.verify(LIGHT.hash("пароль с пробелами"), "пароль с пробелами")


def test_a_broken_hash_is_a_mismatch_not_a_crash() -> None:
    assert not LIGHT.verify("", "anything")
    assert not LIGHT.verify("$argon2id$v=19$m=1024,t=1,p=1$bm90$bm90", "anything")
    assert not LIGHT.verify("plain text", "plain text")
    assert LIGHT.needs_rehash("plain text")


def test_the_defaults_are_argon2_cffis() -> None:
    library = argon2.PasswordHasher()
    hashed = Argon2Hasher().hash("correct horse battery")
    expected = f"m={library.memory_cost},t={library.time_cost},p={library.parallelism}"
    assert hashed.startswith(f"$argon2id$v=19${expected}$")
    assert not Argon2Hasher().needs_rehash(hashed)


def test_weaker_parameters_need_a_rehash() -> None:
    weak = LIGHT.hash("correct horse battery")
    assert Argon2Hasher().needs_rehash(weak)
    assert not LIGHT.needs_rehash(weak)
