"""The revision cache: versioned, bounded, single-flight, and safe across threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from saudager.core.revcache import CacheRules, RevisionCache


def test_a_value_is_kept_while_its_version_holds_and_rebuilt_when_it_moves() -> None:
    cache: RevisionCache[int, list[str]] = RevisionCache(4)
    first = cache.get(1, (7, "Asia/Almaty"), lambda: ["at 7"])
    assert cache.get(1, (7, "Asia/Almaty"), lambda: ["never built"]) is first
    assert cache.get(1, (8, "Asia/Almaty"), lambda: ["at 8"]) == ["at 8"]
    assert cache.get(1, (8, "Asia/Oral"), lambda: ["other zone"]) == ["other zone"]
    assert (cache.builds, cache.hits, len(cache)) == (3, 1, 1)


def test_it_keeps_the_most_recently_used_keys() -> None:
    cache: RevisionCache[str, str] = RevisionCache(2)
    cache.get("a", 1, lambda: "A")
    cache.get("b", 1, lambda: "B")
    cache.get("a", 1, lambda: "A again")  # a is now the most recent
    cache.get("c", 1, lambda: "C")  # b goes
    assert len(cache) == 2
    assert cache.get("a", 1, lambda: "A rebuilt") == "A"
    assert cache.get("b", 1, lambda: "B rebuilt") == "B rebuilt"
    assert cache.builds == 4


def test_callers_arriving_together_share_one_build() -> None:
    cache: RevisionCache[int, object] = RevisionCache(2)
    release = threading.Event()
    calls = 0

    def build() -> object:
        nonlocal calls
        calls += 1
        release.wait(5)
        return object()

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(cache.get, 1, 5, build) for _ in range(20)]
        time.sleep(0.2)  # let every caller reach the cache while the build is held
        release.set()
        values = [future.result(timeout=10) for future in futures]
    assert calls == 1 and cache.builds == 1
    assert all(value is values[0] for value in values)


def test_a_failed_build_reaches_every_waiter_and_is_not_kept() -> None:
    cache: RevisionCache[int, int] = RevisionCache(2)
    release = threading.Event()

    def failing() -> int:
        release.wait(5)
        raise OSError("database went away")

    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(cache.get, 1, 1, failing) for _ in range(5)]
        time.sleep(0.2)
        release.set()
        for future in futures:
            with pytest.raises(OSError, match="went away"):
                future.result(timeout=10)
    assert cache.builds == 1 and len(cache) == 0
    assert cache.get(1, 1, lambda: 42) == 42


def test_a_slow_build_of_an_old_version_does_not_replace_a_newer_one() -> None:
    cache: RevisionCache[int, str] = RevisionCache(2)
    release = threading.Event()

    def old() -> str:
        release.wait(5)
        return "old"

    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(cache.get, 1, 1, old)
        time.sleep(0.1)
        assert cache.get(1, 2, lambda: "new") == "new"
        release.set()
        assert slow.result(timeout=10) == "old"  # its own caller still gets what it built
    assert cache.get(1, 2, lambda: "rebuilt") == "new"


def test_rules_are_checked() -> None:
    assert CacheRules().shops == 8
    with pytest.raises(ValueError, match=r"cache\.shops"):
        CacheRules(shops=0)
    with pytest.raises(ValueError, match="at_risk_seconds"):
        CacheRules(at_risk_seconds=0)
    with pytest.raises(ValueError, match="at least one"):
        RevisionCache(0)
