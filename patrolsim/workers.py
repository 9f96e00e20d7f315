"""Local worker processes that die with the process that started them.

Sweeps run their simulations in them, and district routes solve their squads in them
(:func:`patrolsim.routing.district.solve_district_routes` with ``workers``). A worker gets
its task by pickling, so tasks and results are plain data.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

__all__ = ["local_executor", "process_pool"]

PR_SET_PDEATHSIG = 1
"""Linux prctl option: the signal a process gets when its parent dies."""
PARENT_POLL_S = 1.0


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process ``parent`` that made the pool dies.

    Killing only that process (SIGKILL, an OOM kill) would otherwise leave the workers
    running on with their last task. On Linux the kernel sends SIGKILL at once
    (``prctl(PR_SET_PDEATHSIG)``); everywhere, a daemon thread checks ``os.getppid()`` every
    :data:`PARENT_POLL_S` seconds and exits when the worker has been orphaned.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="patrolsim-parent-watch", daemon=True).start()


def local_executor(workers: int | None = None) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` local processes (default: the number of CPUs).

    The workers die with the process that made the pool (:func:`_die_with_parent`).
    """
    return cf.ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 1,
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


@contextlib.contextmanager
def process_pool(workers: int) -> Iterator[cf.ProcessPoolExecutor | None]:
    """:func:`local_executor` of ``workers`` processes, shut down on exit; ``None`` for one
    worker or fewer, where the work is better done in this process than sent to another."""
    if workers <= 1:
        yield None
        return
    with local_executor(workers) as pool:
        yield pool
