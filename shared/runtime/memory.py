"""Giving memory back after large inputs. CPython frees objects, but glibc's malloc keeps the
freed pages of its arenas (one per thread, and the stages work in threads), so a worker that
handled a few large values would otherwise keep hundreds of MB for good.

Two measures, both measured with bench/memory.py: the mmap threshold is pinned (glibc raises it
after each large block is freed, so later multi-MB values land in the arenas and fragment them;
pinned, every block of 128 KiB or more is its own mapping, handed back on free), and after a large
batch garbage is collected and the arenas are trimmed."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache

LARGE_BATCH_BYTES = 4 * 1024 * 1024  # a batch this large is followed by a release
MMAP_THRESHOLD = 128 * 1024  # glibc's default starting value, kept fixed
_M_MMAP_THRESHOLD = -3  # mallopt parameter number (malloc.h)


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    return getattr(_libc(), "malloc_trim", None)  # None when not glibc


@lru_cache(maxsize=1)
def pin_mmap_threshold() -> bool:
    """Keep large allocations in their own mappings for the life of the process (once per
    process); True when the allocator took the setting."""
    mallopt = getattr(_libc(), "mallopt", None)
    return bool(mallopt and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_memory() -> bool:
    """Collect garbage and return free heap pages to the system; True when malloc_trim ran."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
