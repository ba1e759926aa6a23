"""Celery's Redis result backend, without the waiting that this service never does,
and with writes that can be batched.

On every publish the stock backend subscribes to the job's result channel, so that
`AsyncResult.get()` can wait for it, and unsubscribes when the AsyncResult object is
collected: two Redis round trips per job, under a lock shared by every publishing
thread. Nothing here waits for a result (the API reads job states from Redis,
`status.py`), so both are skipped; storing and reading results are unchanged.

`batched_writes` gathers the states stored inside it (a purge revokes thousands of
jobs, `revocations.py`) into one round trip; `_set` is private in Celery
(`overrides.py` pins the minor).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery.backends.redis import RedisBackend, SentinelBackend


class NoWaitRedisBackend(RedisBackend):
    _batch = threading.local()

    def on_task_call(self, producer: Any, task_id: str) -> None:
        pass

    def on_result_fulfilled(self, result: Any) -> None:
        pass

    @contextmanager
    def batched_writes(self) -> Iterator[None]:
        with self.client.pipeline() as pipe:
            self._batch.pipe = pipe
            try:
                yield
            finally:
                self._batch.pipe = None
            pipe.execute()

    def _set(self, key: Any, value: Any, expires: Any = None) -> None:
        pipe = getattr(self._batch, "pipe", None)
        if pipe is None:
            super()._set(key, value, expires)  # type: ignore[misc]  # private, not in the stubs
            return
        private: Any = self
        expires = private.expires if expires is None else expires
        if expires:
            pipe.setex(key, expires, value)
        else:
            pipe.set(key, value)
        pipe.publish(key, value)


class NoWaitSentinelBackend(NoWaitRedisBackend, SentinelBackend):
    """The same, through Redis Sentinel (a `sentinel://` REDIS_URL)."""
