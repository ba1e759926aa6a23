"""`async def` jobs: one event loop per worker process (per thread with a thread pool),
created on the first async job and reused by every later one.

A loop per job would pay for its creation on every run and lose what a job's clients
keep between runs (connection pools bound to the loop). Celery's soft time limit is
raised by a signal handler wherever the process is: inside the job's own code (the
coroutine sees SoftTimeLimitExceeded and may clean up), or inside the loop while the
job awaits. In the second case the job is cancelled, its `finally` blocks and context
managers run, and SoftTimeLimitExceeded reaches Celery all the same. The hard limit
kills the process, and the loop with it.
"""

import asyncio
import contextlib
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

R = TypeVar("R")
_local = threading.local()


def _loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    # A pool process forked from a parent that had a loop must not share it.
    if loop is None or loop.is_closed() or getattr(_local, "pid", None) != os.getpid():
        loop = asyncio.new_event_loop()
        _local.loop, _local.pid = loop, os.getpid()
    return loop


def run_coroutine(coroutine: Coroutine[Any, Any, R]) -> R:
    loop = _loop()
    task = loop.create_task(coroutine)
    try:
        return loop.run_until_complete(task)
    except BaseException:
        if not task.done():
            task.cancel()
            with contextlib.suppress(BaseException):
                loop.run_until_complete(task)
        raise
