"""Process-level settings for the hot loops of a stage."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import cast

__all__ = ["gc_paused", "release_memory"]


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


def release_memory() -> None:
    """Hand the heap memory this process has freed back to the system where the C library can
    (glibc's ``malloc_trim``; nothing elsewhere). A long-lived worker process calls it between
    jobs, so its resident size follows the job it runs, not the largest it ran."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    trim = getattr(library, "malloc_trim", None)
    return cast("Callable[[int], int] | None", trim)
