"""Declared jobs become Celery tasks: name, limits and retries from their spec."""

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery, Task
from celery.exceptions import Reject
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .._core.declaration import DEFAULT_TIME_LIMIT, Job
from .._core.idempotency import AlreadyRunning, Claim, LeaseLost
from .._core.payloads import validated
from .._core.status import PROGRESS
from . import resources
from .event_loop import run_coroutine

JobTask = Task[Any, Any]
WORKER_LOST_RETRY_DELAY = 1
REDIS_OUTAGE = (RedisConnectionError, RedisTimeoutError)
# Why a retry's message may not reach the broker: it is away, for now.
BROKER_AWAY = (OperationalError, ConnectionError, TimeoutError, *REDIS_OUTAGE)
# Celery's full jitter can draw a countdown of 0: the next attempt may then start, and
# even fail for good, in another pool process before this attempt has stored RETRY,
# which would then overwrite the job's final state.
MIN_RETRY_COUNTDOWN = 1


class JobTaskClass(Task[Any, Any]):
    """Every job's task class: retries wait at least MIN_RETRY_COUNTDOWN seconds, and
    the worker's main process records, limits and ends jobs (`job_request.py`)."""

    # By path: Celery loads it in the worker's main process.
    Request = f"{__package__}.job_request:JobRequest"

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("countdown") is not None:
            kwargs["countdown"] = max(kwargs["countdown"], MIN_RETRY_COUNTDOWN)
        try:
            return super().retry(*args, **kwargs)
        except Reject as reject:
            rejected: Any = reject  # celery-types does not declare `reason`, `requeue`
            # Celery rejects the delivery *without* requeue when the retry's message
            # cannot be published: with the broker away (a Redis master failing over)
            # the job would end FAILURE and never run again. Hand the delivery back
            # instead: requeued, or restored from the unacknowledged ones when the
            # broker is back; the job is retried then.
            if rejected.requeue or not isinstance(rejected.reason, BROKER_AWAY):
                raise
            raise Reject(rejected.reason, requeue=True) from reject


def register(app: Celery, job: Job[Any]) -> JobTask:
    """Register `job` on `app` as the task `job.name`; `async def` jobs run on the
    process's event loop (`event_loop.py`). A payload that fails validation is not
    retried: it would fail the same way every time (`InvalidPayload`)."""
    spec, run = job.spec, job.run
    is_async = inspect.iscoroutinefunction(run)

    def task(self: JobTask, payload: Any) -> Any:
        model = validated(spec.name, spec.payload, payload)
        if is_async:
            return run_coroutine(run(self, model))
        return run(self, model)

    task.__name__, task.__doc__ = run.__name__, run.__doc__
    task.__module__, task.__qualname__ = run.__module__, run.__qualname__
    registered: JobTask = app.task(
        name=spec.name,
        base=JobTaskClass,
        bind=True,
        soft_time_limit=spec.soft_time_limit,
        time_limit=spec.time_limit,
        ignore_result=not spec.keeps_result,
        # Redis down mid-task is an outage, not a verdict on the job; another
        # delivery running, or taking over, means: look again later.
        autoretry_for=(*spec.retry_on, *REDIS_OUTAGE, AlreadyRunning, LeaseLost),
        retry_backoff=True,
        retry_backoff_max=spec.retry_backoff_max,
        retry_jitter=True,
        max_retries=spec.max_retries,
        # Used only when the worker process was lost (task_retry_on_worker_lost):
        # run the job again soon, not after Celery's default of three minutes.
        default_retry_delay=WORKER_LOST_RETRY_DELAY,
    )(task)
    return registered


@contextmanager
def idempotent(task: JobTask, key: str) -> Iterator[Claim]:
    """Run a side effect at most once per `key` (see `_core/idempotency.py`): the claim
    is done with its stored result, or held by this delivery until `claim.commit`."""
    guard = resources.idempotency_guard(int(task.time_limit or DEFAULT_TIME_LIMIT))
    with guard.claim(key, owner=str(task.request.id or "")) as claim:
        yield claim


def report_progress(task: JobTask, percent: int) -> None:
    """What `GET /jobs/{id}` shows as progress while the job runs."""
    # Progress belongs to a job id; a direct call (tests, a shell) has none.
    if task.request.id:
        task.update_state(state=PROGRESS, meta={"percent": percent})
