"""Giving memory back after large inputs. CPython frees objects, but glibc's malloc keeps the
freed pages of its arenas (one per thread, and the stages work in threads), so a worker that
handled a few large values would otherwise keep hundreds of MB for good.

Two measures, both measured with bench/memory.py: the mmap threshold is pinned (glibc raises it
after each large block is freed, so later multi-MB values land in the arenas and fragment them;
pinned, the dynamic adjustment is off), and after a large batch garbage is collected and the
arenas are trimmed.

The pinned value is 8 MiB, not glibc's starting 128 KiB: the NLP models allocate and free arrays
of up to a few MB for every batch, and with a low threshold each one is a fresh mapping whose
pages are faulted in and zeroed again (7,500 page faults and ~15% more CPU per article in the
extractor, measured with bench/stage_overhead.py; about 100 at 8 MiB). The price is the models'
working memory staying in the arenas between batches (about 125 MB in the extractor, as with
glibc's own default). Memory after large inputs is the same with either value (bench/memory.py:
+4 to +6 MB); what holds it is that the threshold no longer moves."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache

LARGE_BATCH_BYTES = 4 * 1024 * 1024  # a batch this large is followed by a release
MMAP_THRESHOLD = 8 * 1024 * 1024  # above the models' per-batch arrays; kept fixed
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
    """Fix the mmap threshold for the life of the process (once per process); True when the
    allocator took the setting. (The trim threshold stays glibc's: raising it too keeps freed
    large values in the arenas, +45 MB on bench/memory.py.)"""
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
