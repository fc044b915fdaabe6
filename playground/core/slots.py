"""Fair sharing of the server's cores between sessions: a fixed number of training slots.

Every live pass of every session asks for a slot for its short training
chunk (about a tenth of a second) and gives it back at once, so with more
trainings than cores they take turns instead of slowing each other down, and
a waiting page can say so instead of freezing. BLAS is held to one thread per
training, since the sessions themselves are the parallelism.
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading

from threadpoolctl import threadpool_limits

TRAIN_BUDGET = 0.1  # seconds of training one turn on a slot takes (checked between batches)
SLOT_WAIT = 0.3  # seconds a turn waits for a free slot before the page shows the waiting state


class TrainingSlots:
    """At most ``n`` trainings advance at once across the whole server, served first come, first served.

    Each turn is short (``TRAIN_BUDGET``); a thread that gives a slot back and asks again goes behind
    the ones already waiting, so a heavy session cannot take turns away from the others.

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
        self._cond = threading.Condition()
        self._queue: collections.deque = collections.deque()
        self.busy = 0

    @property
    def waiting(self) -> int:
        return len(self._queue)

    @contextlib.contextmanager
    def slot(self, timeout: float):
        """Yield True while holding a slot, or False if none came free within ``timeout`` seconds."""
        ticket = object()
        with self._cond:
            self._queue.append(ticket)
            got = self._cond.wait_for(lambda: self.busy < self.n and self._queue[0] is ticket, timeout)
            self._queue.remove(ticket)
            self.busy += got
            self._cond.notify_all()  # the next in line may now be first
        try:
            yield got
        finally:
            if got:
                with self._cond:
                    self.busy -= 1
                    self._cond.notify_all()


def one_blas_thread() -> None:
    """Hold BLAS (OpenBLAS, MKL) to one thread in this process.

    The limit is set from a short-lived plain thread: threadpoolctl remembers the thread that set an
    OpenBLAS limit for good, and a Streamlit script thread would keep its whole session (state, run,
    uploads) reachable through it after the session closed.
    """
    setter = threading.Thread(target=threadpool_limits, kwargs={"limits": 1, "user_api": "blas"},
                              name="scratchnet-blas-limit")
    setter.start()
    setter.join()
