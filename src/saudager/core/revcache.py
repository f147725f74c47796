"""An in-memory cache of values computed from a shop's data at one version of it.

A shop's frames and reports cost seconds to build from the database and nothing to keep, and
they stay right for as long as the shop's data does: the store raises the shop's
``data_revision`` with every change, so a value built at one revision serves every request until
the number moves (``docs/dashboard.md``, "Caching").

:class:`RevisionCache` keeps one value per key with the version it was built at, and is safe
to share between the threads of a web server:

- **versioned**: ``get(key, version, build)`` returns the kept value when its version equals
  ``version``, and builds anew otherwise;
- **single-flight**: callers asking for the same key and version while it is being built wait
  for that one build and get its value (or its exception), instead of building it again;
- **bounded**: it keeps the values of the ``max_entries`` keys used most recently. A value whose
  version is outdated is let go as soon as a newer build starts, so a shop is not held twice.

Pure: no clock, no IO; the builds do whatever IO they need, outside the cache's lock.

In a long-running server the kept values are most of the process's Python objects (a big
shop's facts, rows and views: a million or more), and CPython's full collections walk them all
— about 0.1 s each, many times a minute under load, every request waiting meanwhile.
:func:`freeze_built_values` (the web server turns it on) moves everything alive after each build
into the collector's permanent generation (``gc.freeze``), out of those walks; values dropped
later are still freed by reference counting.
"""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

__all__ = ["DEFAULT_CACHED_SHOPS", "CacheRules", "RevisionCache", "freeze_built_values"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

DEFAULT_CACHED_SHOPS = 8

_freeze_after_build = False


def freeze_built_values(enabled: bool = True) -> None:
    """After each build of any cache in this process, ``gc.freeze()`` (see the module's text).
    For a server process; tests and the command line leave it off."""
    global _freeze_after_build
    _freeze_after_build = enabled


@dataclass(frozen=True, slots=True)
class CacheRules:
    """How much of the shops' data a process keeps between requests (``docs/settings.md``)."""

    #: Shops whose sales, quality facts and overview are kept, the most recently used first.
    shops: int = DEFAULT_CACHED_SHOPS
    #: The overview's at-risk orders (time-dependent) are recomputed at most this often.
    at_risk_seconds: int = 60

    def __post_init__(self) -> None:
        if self.shops < 1:
            raise ValueError("cache.shops must be at least 1")
        if self.at_risk_seconds < 1:
            raise ValueError("cache.at_risk_seconds must be at least 1")


class _Flight(Generic[V]):
    """One build under way; the callers that arrive meanwhile wait on ``done``."""

    __slots__ = ("done", "error", "sequence", "value")

    def __init__(self, sequence: int) -> None:
        self.sequence = sequence
        self.done = threading.Event()
        self.value: V | None = None
        self.error: BaseException | None = None


@dataclass(slots=True)
class _Entry(Generic[V]):
    version: Hashable
    value: V
    sequence: int  # of the build that made it: a slower, older build never replaces it


class RevisionCache(Generic[K, V]):
    """Values by key, each with the version it was built at; thread-safe and single-flight."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("a cache keeps at least one entry")
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._flights: dict[tuple[K, Hashable], _Flight[V]] = {}
        self._sequence = 0
        self.builds = 0  # builds started (for tests and statistics)
        self.hits = 0  # values returned without building or waiting

    @property
    def max_entries(self) -> int:
        return self._max

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: K, version: Hashable, build: Callable[[], V]) -> V:
        """The value of ``key`` at ``version``: kept, being built by another caller (waited
        for), or built now by calling ``build()``.

        ``build``'s exception reaches this caller and every caller waiting on the same build;
        nothing is kept, so the next call builds again.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.version == version:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry.value
            flight = self._flights.get((key, version))
            leader = flight is None
            if flight is None:
                self._sequence += 1
                flight = self._flights[(key, version)] = _Flight(self._sequence)
                self.builds += 1
                if entry is not None:
                    # Outdated: let it go now rather than hold the shop twice while building.
                    del self._entries[key]
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return cast(V, flight.value)
        try:
            value = build()
        except BaseException as exc:
            flight.error = exc
            with self._lock:
                del self._flights[(key, version)]
            flight.done.set()
            raise
        with self._lock:
            del self._flights[(key, version)]
            kept = self._entries.get(key)
            if kept is None or kept.sequence < flight.sequence:
                self._entries[key] = _Entry(version, value, flight.sequence)
                self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        flight.value = value
        flight.done.set()
        if _freeze_after_build:
            gc.freeze()
        return value

    def clear(self) -> None:
        """Forget every kept value (builds under way finish and are kept)."""
        with self._lock:
            self._entries.clear()
