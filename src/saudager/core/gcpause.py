"""Building many small objects without the collector's full sweeps in between."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, restoring it after.

    A report that returns ten thousand dataclasses with ``Decimal`` fields allocates enough
    objects to trigger several collections, and the oldest generation's sweep walks every object
    the process holds: in a process holding a shop's data this was a third of the Жұма plan's
    time. The objects made here hold no cycles, so nothing is left for the collector to find
    later that it would have freed now.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
