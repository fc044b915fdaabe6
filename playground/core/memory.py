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


def freeze_what_lasts() -> int:
    """Collect garbage, then leave every object alive now out of later collections; return how many.

    Called once, when the server's first session first trains: by then the modules (Streamlit, Plotly, numpy,
    the app's own) are imported, and they are most of the objects a full collection walks. A collection took
    about 100 ms on this machine (200 ms beside a training), holding every session up; after this it walks only
    what came later. Objects that were alive then are still freed when nothing refers to them (only a
    reference cycle among them would stay: the first session's few objects at most).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def keep_memory_tidy(interval: float = TRIM_EVERY) -> bool:
    """Cap glibc's arenas and start one daemon thread that trims every ``interval`` seconds (once per process).

    The first call also freezes what lasts (``freeze_what_lasts``). Returns False, and does nothing, where the
    C library is not glibc.
    """
    libc = _libc()
    if libc is None:
        return False
    if not _started.is_set():
        _started.set()
        freeze_what_lasts()
        libc.mallopt(M_ARENA_MAX, ARENAS)
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                trim()

        threading.Thread(target=loop, name="scratchnet-memory-trim", daemon=True).start()
    return True
