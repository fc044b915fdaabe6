"""Give freed memory back to the operating system, so a server's size follows its live sessions.

Sessions come and go on many threads. glibc's allocator gives each thread an arena of its own and keeps
freed pages in them, so a server's resident size climbs with every session that has come and gone even
after their objects are freed. Capping the arenas and trimming them now and then lets it level off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading

M_ARENA_MAX = -8  # glibc's mallopt parameter number
ARENAS = 2
TRIM_EVERY = 10.0  # seconds

_started = threading.Event()


def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def trim() -> bool:
    """Collect garbage and return free heap pages to the system; False where the C library has no malloc_trim."""
    gc.collect()
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def keep_memory_tidy(interval: float = TRIM_EVERY) -> bool:
    """Cap glibc's arenas and start one daemon thread that trims every ``interval`` seconds (once per process).

    Returns False, and does nothing, where the C library is not glibc.
    """
    libc = _libc()
    if libc is None:
        return False
    if not _started.is_set():
        _started.set()
        libc.mallopt(M_ARENA_MAX, ARENAS)
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                trim()

        threading.Thread(target=loop, name="scratchnet-memory-trim", daemon=True).start()
    return True
