"""`@job_task(SPEC)`: register a task with the name, limits and retries of its spec."""

from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task
from pydantic import BaseModel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..jobs.catalog import JobSpec
from ..jobs.idempotency import AlreadyRunning, LeaseLost
from .app import app

P = TypeVar("P", bound=BaseModel)
R = TypeVar("R")
AnyTask = Task[Any, Any]
WORKER_LOST_RETRY_DELAY = 1
REDIS_OUTAGE = (RedisConnectionError, RedisTimeoutError)
# Celery's full jitter can draw a countdown of 0: the next attempt may then start, and
# even fail for good, in another pool process before this attempt has stored RETRY,
# which would then overwrite the job's final state.
MIN_RETRY_COUNTDOWN = 1


class JobTask(Task[Any, Any]):
    """Every job's task class: retries wait at least MIN_RETRY_COUNTDOWN seconds, and
    the worker's main process notes successes in batches (`ended_jobs.py`)."""

    # By path: Celery loads it in the worker's main process.
    Request = f"{__package__}.ended_jobs:JobRequest"

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("countdown") is not None:
            kwargs["countdown"] = max(kwargs["countdown"], MIN_RETRY_COUNTDOWN)
        return super().retry(*args, **kwargs)


def job_task(
    spec: JobSpec[P], retry_on: tuple[type[Exception], ...] = ()
) -> Callable[[Callable[[AnyTask, P], R]], AnyTask]:
    """Turn `run(task, payload)` into the Celery task `spec.name`.

    `retry_on` lists transient errors: they are retried with exponential backoff and
    jitter, at most `spec.max_retries` times. A payload that fails validation is not
    retried: it would fail the same way every time.
    """

    def register(run: Callable[[AnyTask, P], R]) -> AnyTask:
        def task(self: AnyTask, payload: dict[str, Any]) -> R:
            return run(self, spec.payload.model_validate(payload))

        task.__name__, task.__doc__ = run.__name__, run.__doc__
        task.__module__, task.__qualname__ = run.__module__, run.__qualname__
        return app.task(
            name=spec.name,
            base=JobTask,
            bind=True,
            soft_time_limit=spec.soft_time_limit,
            time_limit=spec.time_limit,
            ignore_result=not spec.keeps_result,
            # Redis down mid-task is an outage, not a verdict on the job; another
            # delivery running, or taking over, means: look again later.
            autoretry_for=(*retry_on, *REDIS_OUTAGE, AlreadyRunning, LeaseLost),
            retry_backoff=True,
            retry_backoff_max=spec.retry_backoff_max,
            retry_jitter=True,
            max_retries=spec.max_retries,
            # Used only when the worker process was lost (task_retry_on_worker_lost):
            # run the job again soon, not after Celery's default of three minutes.
            default_retry_delay=WORKER_LOST_RETRY_DELAY,
        )(task)

    return register
