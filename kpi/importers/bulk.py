"""Building a million small objects without the cycle collector in the way.

Points, their line tuples and the rows written for them hold no reference
cycles, but each allocation counts towards the collector's thresholds: building
a million of them ran several full collections, each walking every object
already built (half of the time of parsing and of reading a kept parse back).
Reference counting still frees them; the collector is paused only meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector for the block (a no-op when already paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
