"""What the speed benchmarks share about the machine: its allocator settings and its load."""

from __future__ import annotations

import ctypes
import os


def keep_freed_memory() -> bool:
    """glibc only: keep freed memory in the process instead of returning it to the kernel.

    Raises the trim threshold to 1 GiB and fixes the mmap threshold at 32 MiB (arrays up to
    that size come from the heap and are reused), for every library in this process.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3  # from malloc.h
        return bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 1 << 30))
    except (OSError, AttributeError):  # not glibc
        return False


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:  # not available on this platform
        return "n/a"
