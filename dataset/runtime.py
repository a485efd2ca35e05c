"""Process-level settings for the hot loops of a stage."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector inside the block, and restore it after.

    A stage that builds millions of short-lived dicts and tuples (a parsed export, the rows of
    the dataset configs) triggers thousands of collections that find nothing to free: reference
    counting frees its objects, which form no cycles. ``benchmarks/parsers.py`` measures what
    pausing saves in the conversion. Only for blocks whose objects form no cycles: agreement and
    gold do not use it (their peak memory rose with it paused).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
