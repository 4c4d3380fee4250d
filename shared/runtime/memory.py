"""Giving memory back after large inputs. CPython frees objects, but glibc's malloc keeps the
freed pages of its arenas (one per thread, and the stages work in threads), so a worker that
handled a few large values would otherwise keep hundreds of MB for good."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache

LARGE_BATCH_BYTES = 4 * 1024 * 1024  # a batch this large is followed by a release


@lru_cache(maxsize=1)
def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None


def release_memory() -> bool:
    """Collect garbage and return free heap pages to the system; True when malloc_trim ran."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
