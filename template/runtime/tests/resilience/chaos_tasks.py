"""Jobs that misbehave on purpose, loaded only into the workers of the resilience tests
(`python -m <package>.worker --include chaos_tasks`). Declared and registered with the
service's own runtime, as its jobs are."""

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_prerun, task_success
from fixture_service.settings import Settings, get_settings
from fixture_service.worker.app import app
from pydantic import Field

from durable_jobs import JobSpec, JobTask, Payload, idempotent, job
from durable_jobs._core.redis_client import redis_client
from durable_jobs._core.sending import ENQUEUED_AT_HEADER
from durable_jobs._worker import resources
from durable_jobs._worker.job_task import register

# The charge example, as slow as a payment provider's answer: a worker killed at any
# moment of a burst is then nearly always in the middle of some charge.
PROVIDER_SECONDS = 0.02


class SlowCharge(Payload):
    key: str
    seconds: float = Field(ge=0, le=20)


class Nothing(Payload):
    pass


def mark(name: str, task: JobTask) -> None:
    """Record that `name` happened for this job, with the pid of the process doing it
    and how many retries the delivery counted."""
    redis = redis_client(resources.settings())
    prefix = resources.settings().key_prefix
    redis.rpush(f"{prefix}chaos:{name}:{task.request.id}", f"{os.getpid()} {task.request.retries}")


def executions_file(settings: Settings) -> Path:
    """The tests' own ledger of charges: every start and every receipt, one JSON line
    each, appended by this module's signal handlers in the test worker (a file the
    code under test never writes, outside its transaction)."""
    return settings.storage_dir / "chaos-executions.jsonl"


def _note_charge(event: str, task: Any, **fields: Any) -> None:
    request = task.request
    entry = {
        "event": event,
        "job": request.id,
        # Which message: the API's, or a copy the lost-job sweep published later.
        "message": getattr(request, ENQUEUED_AT_HEADER, None),
        "pid": os.getpid(),
        "at": time.time(),
        **fields,
    }
    path = executions_file(get_settings())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as ledger:  # one short append: whole lines from every process
        ledger.write(json.dumps(entry) + "\n")


@task_prerun.connect
def start_charge(sender: Any = None, **_: Any) -> None:
    if getattr(sender, "name", None) == "billing.charge":
        _note_charge("started", sender)
        time.sleep(PROVIDER_SECONDS)


@task_success.connect
def end_charge(sender: Any = None, result: Any = None, **_: Any) -> None:
    """A charge made twice leaves two receipts with different times; a redelivery of
    a finished charge repeats one."""
    if getattr(sender, "name", None) == "billing.charge" and isinstance(result, dict):
        kept = ("idempotency_key", "charged_by_job", "charged_at")
        _note_charge("charged", sender, receipt={name: result[name] for name in kept})


def ledger(key: str) -> str:
    return f"{resources.settings().key_prefix}chaos:ledger:{key}"


@job(JobSpec("chaos.slow_charge", SlowCharge, 20, 25, max_retries=5, retry_backoff_max=2))
def slow_charge(task: JobTask, payload: SlowCharge) -> dict[str, Any]:
    with idempotent(task, payload.key) as claim:
        if not claim.done:
            mark("started", task)
            time.sleep(payload.seconds)
            claim.commit({"key": payload.key}, also=lambda pipe: pipe.incr(ledger(payload.key)))
        result: dict[str, Any] = claim.result
        return result


@job(JobSpec("chaos.kill_own_worker", Nothing, 20, 25, 2, 2))
def kill_own_worker(task: JobTask, payload: Nothing) -> None:
    mark("started", task)
    os.kill(os.getpid(), signal.SIGKILL)


@job(JobSpec("chaos.overrun_soft_limit", Nothing, 1, 3, 0, 1))
def overrun_soft_limit(task: JobTask, payload: Nothing) -> None:
    try:
        time.sleep(10)
    except SoftTimeLimitExceeded:
        mark("cleaned_up", task)
        raise


@job(JobSpec("chaos.async_overrun_soft_limit", Nothing, 1, 3, 0, 1))
async def async_overrun_soft_limit(task: JobTask, payload: Nothing) -> None:
    try:
        await asyncio.sleep(10)
    finally:
        # Cancelled by the runtime when the soft limit interrupts the loop.
        mark("cleaned_up", task)


@job(JobSpec("chaos.overrun_hard_limit", Nothing, 1, 2, 0, 1))
def overrun_hard_limit(task: JobTask, payload: Nothing) -> None:
    mark("started", task)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            mark("ignored_soft_limit", task)


@job(JobSpec("chaos.tick", Nothing, 5, 10, 0, 1, keeps_result=False))
def tick(task: JobTask, payload: Nothing) -> None:
    """Records when each periodic tick ran (see test_beat_failover.py)."""
    settings = resources.settings()
    redis_client(settings).rpush(f"{settings.key_prefix}chaos:ticks", time.time())


@job(
    JobSpec(
        "chaos.always_fails",
        Nothing,
        5,
        10,
        max_retries=2,
        retry_backoff_max=1,
        retry_on=(ConnectionError,),
    )
)
def always_fails(task: JobTask, payload: Nothing) -> None:
    """An upstream that never comes back: retried, then a dead letter."""
    raise ConnectionError("the upstream is down (on purpose)")


@job(
    JobSpec(
        "chaos.async_flaky",
        Nothing,
        5,
        10,
        max_retries=3,
        retry_backoff_max=1,
        retry_on=(ConnectionError,),
    )
)
async def async_flaky(task: JobTask, payload: Nothing) -> dict[str, int]:
    """Fails its first two attempts, then succeeds: retries of an async job."""
    mark("attempt", task)
    await asyncio.sleep(0)
    if task.request.retries < 2:
        raise ConnectionError("not yet (on purpose)")
    return {"attempts": task.request.retries + 1}


SLOW_CHARGE = slow_charge
KILL_OWN_WORKER = kill_own_worker
OVERRUN_SOFT_LIMIT = overrun_soft_limit
ASYNC_OVERRUN_SOFT_LIMIT = async_overrun_soft_limit
OVERRUN_HARD_LIMIT = overrun_hard_limit
TICK = tick
ALWAYS_FAILS = always_fails
ASYNC_FLAKY = async_flaky
CHAOS_JOBS = (
    slow_charge,
    kill_own_worker,
    overrun_soft_limit,
    async_overrun_soft_limit,
    overrun_hard_limit,
    tick,
    always_fails,
    async_flaky,
)
for declared in CHAOS_JOBS:
    register(app, declared)
