"""This process's resident memory, and its peak while a block runs (Linux /proc)."""

from __future__ import annotations

import threading
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def high_water_mb() -> float:
    """This process's peak resident memory since it started (``VmHWM``). Unlike
    ``ru_maxrss``, it does not carry over a parent's peak into a freshly executed child."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class PeakMemory:
    """Samples this process's resident memory every 20 ms while in the block."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.before = 0.0
        self._stop = threading.Event()

    def __enter__(self) -> PeakMemory:
        self.before = self.peak = rss_mb()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
