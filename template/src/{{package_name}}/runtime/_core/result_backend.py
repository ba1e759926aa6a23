"""Celery's Redis result backend, without the waiting that this service never does.

On every publish the stock backend subscribes to the job's result channel, so that
`AsyncResult.get()` can wait for it, and unsubscribes when the AsyncResult object is
collected: two Redis round trips per job, under a lock shared by every publishing
thread. Nothing here waits for a result (the API reads job states from Redis,
`status.py`), so both are skipped; storing and reading results are unchanged.
"""

from typing import Any

from celery.backends.redis import RedisBackend


class NoWaitRedisBackend(RedisBackend):
    def on_task_call(self, producer: Any, task_id: str) -> None:
        pass

    def on_result_fulfilled(self, result: Any) -> None:
        pass
