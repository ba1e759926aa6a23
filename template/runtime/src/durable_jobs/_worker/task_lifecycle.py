"""What the worker says about each job: log lines and metrics at start, success, retry
and failure, and a dead letter for a job that failed for good.

Every line logged while a job runs (ours, Celery's, the task's own) carries the job's
id, name, queue and attempt, and the id of the HTTP request that enqueued it.
"""

import time
from datetime import UTC, datetime
from typing import Any

import structlog
from redis.exceptions import RedisError

from .._core.dead_letters import DeadLetter, DeadLetters, traceback_tail
from .._core.logs import configure_logging
from .._core.sending import ENQUEUED_AT_HEADER, REQUEST_ID_HEADER, payload_of
from . import metrics, resources

log = structlog.get_logger(__name__)
_started_at: dict[str, float] = {}


def use_our_log_format(**_: Any) -> None:
    # Connected to setup_logging: Celery leaves logging to us (worker, pool and Beat).
    settings = resources.settings()
    configure_logging(settings.log_level, settings.log_format, settings.log_task_results)


def _run_ended(task_name: str, task_id: str | None) -> float | None:
    """How long the run took (None if it was not seen starting), now in the histogram."""
    started = _started_at.pop(task_id or "", None)
    if started is None:
        return None
    runtime = time.perf_counter() - started
    metrics.RUNTIME.labels(task_name).observe(runtime)
    return runtime


def started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    request = task.request
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        task_id=task_id,
        task_name=task.name,
        queue=(request.delivery_info or {}).get("routing_key"),
        request_id=getattr(request, REQUEST_ID_HEADER, None),
        retries=request.retries,
    )
    _started_at[task_id or ""] = time.perf_counter()
    metrics.STARTED.labels(task.name).inc()
    wait = None
    enqueued_at = getattr(request, ENQUEUED_AT_HEADER, None)
    if enqueued_at and not request.retries:
        wait = max(0.0, time.time() - float(enqueued_at))
        metrics.QUEUE_WAIT.labels(task.name).observe(wait)
    log.info("task started", queue_wait_s=None if wait is None else round(wait, 4))


def succeeded(sender: Any = None, **_: Any) -> None:
    runtime = _run_ended(sender.name, sender.request.id)
    metrics.SUCCEEDED.labels(sender.name).inc()
    log.info("task succeeded", runtime_s=_rounded(runtime))


def retrying(sender: Any = None, request: Any = None, reason: Any = None, **_: Any) -> None:
    runtime = _run_ended(sender.name, getattr(request, "id", None))
    exception = type(reason).__name__
    metrics.RETRIED.labels(sender.name, exception).inc()
    log.warning("task retrying", runtime_s=_rounded(runtime), error=exception, reason=str(reason))


def failed(
    sender: Any = None,
    task_id: str | None = None,
    exception: BaseException | None = None,
    *,
    args: Any = None,
    kwargs: Any = None,
    einfo: Any = None,
    **_: Any,
) -> None:
    runtime = _run_ended(sender.name, task_id)
    name = type(exception).__name__
    log.error("task failed", runtime_s=_rounded(runtime), error=name, reason=str(exception))
    letter = DeadLetter(
        job_id=str(task_id),
        task=sender.name,
        payload=payload_of(args, kwargs),
        exception=name,
        message=str(exception),
        traceback=traceback_tail(str(getattr(einfo, "traceback", ""))),
        request_id=getattr(sender.request, REQUEST_ID_HEADER, None),
        retries=int(sender.request.retries or 0),
        failed_at=datetime.now(UTC).timestamp(),
    )
    try:
        DeadLetters.for_settings(resources.settings()).add(letter)
    except (RedisError, OSError) as exc:
        log.error("dead letter not recorded", error=str(exc))
    metrics.FAILED.labels(sender.name, name).inc()


def finished(**_: Any) -> None:
    structlog.contextvars.clear_contextvars()


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 4)
