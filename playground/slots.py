"""Fair sharing of the server's cores between sessions: a fixed number of training slots.

Every live pass of every session asks for a slot for its short training
chunk (about a tenth of a second) and gives it back at once, so with more
trainings than cores they take turns instead of slowing each other down, and
a waiting page can say so instead of freezing. BLAS is held to one thread per
training, since the sessions themselves are the parallelism.
"""

from __future__ import annotations

import contextlib
import os
import threading

from threadpoolctl import threadpool_limits


class TrainingSlots:
    """At most ``n`` trainings advance at once across the whole server.

    Parameters
    ----------
    n : int
        Number of slots; defaults to the number of cores.
    """

    def __init__(self, n: int | None = None) -> None:
        n = (os.cpu_count() or 1) if n is None else int(n)
        if n < 1:
            raise ValueError(f"the number of training slots must be >= 1, got {n}")
        self.n = n
        self._semaphore = threading.BoundedSemaphore(n)
        self._lock = threading.Lock()
        self.busy = 0
        self.waiting = 0

    @contextlib.contextmanager
    def slot(self, timeout: float):
        """Yield True while holding a slot, or False if none came free within ``timeout`` seconds."""
        with self._lock:
            self.waiting += 1
        got = self._semaphore.acquire(timeout=timeout)
        with self._lock:
            self.waiting -= 1
            self.busy += got
        try:
            yield got
        finally:
            if got:
                with self._lock:
                    self.busy -= 1
                self._semaphore.release()


def one_blas_thread() -> None:
    """Hold BLAS (OpenBLAS, MKL) to one thread in this process."""
    threadpool_limits(limits=1, user_api="blas")
