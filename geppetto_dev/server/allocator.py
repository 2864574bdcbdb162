"""How a serving process's C allocator gives memory back, so RSS returns to its baseline.

Encoding a large model makes buffers of tens of megabytes (the JSON, the envelope, the gzip
output), often in worker threads. glibc serves a block that large with its own mapping, given
back when freed, but each such free raises its threshold for the next ones (up to 32 MB): after
the first model, such buffers come from the heaps of the threads instead, which keep the memory
once it is freed. Four clients asking for a 2 MB model six times each left a server 230 MB
larger after they were gone. A fixed threshold keeps every large buffer in a mapping of its own.
"""

from __future__ import annotations

import ctypes
import logging
import os
import platform

__all__ = ["MMAP_THRESHOLD", "map_large_buffers"]

log = logging.getLogger("geppetto_dev.server")

# Blocks from this size up get a mapping of their own (glibc's initial threshold is 128 kB).
MMAP_THRESHOLD = 256 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h
_ENVIRONMENT = "MALLOC_MMAP_THRESHOLD_"  # glibc's own variable: whoever sets it decides


def map_large_buffers(threshold: int = MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold (once per process is enough); False where there is none."""
    if os.environ.get(_ENVIRONMENT) or platform.libc_ver()[0] != "glibc":
        return False
    try:
        # This process's own symbols, libc's among them (find_library would run ldconfig).
        done = ctypes.CDLL(None).mallopt(_M_MMAP_THRESHOLD, ctypes.c_int(threshold))
    except (OSError, AttributeError):  # pragma: no cover - a libc without mallopt
        return False
    if done != 1:  # pragma: no cover - glibc refuses values over its maximum only
        log.debug("mallopt(M_MMAP_THRESHOLD, %d) was refused", threshold)
    return bool(done == 1)
