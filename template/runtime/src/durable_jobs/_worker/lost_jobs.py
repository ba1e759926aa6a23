"""Jobs the broker lost are published again from their records.

kombu's Redis transport moves a message from the queue to its unacked set in two
steps (BRPOP, then HSET) and back in two steps when it restores one (kombu#1836): a
worker SIGKILLed, or a Redis shutting down, between the two drops the message. Every
accepted job stays in the in-flight index until it ends (`_core/records.py`); the
worker signals (connected by `install.py`) refresh its sign of life when it matters,
and take failed jobs out (succeeded ones leave in batches, `ended_jobs.py`). A job
silent for twice the visibility timeout (kombu would have restored it by then if it
still held it) and whose queue has no backlog is published again with the same id
and payload. Tasks are idempotent, so the rare second copy of a job that was only
slow is harmless.
"""

import logging
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from celery import Celery, states
from kombu import Queue
from kombu.exceptions import ChannelError, KombuError
from redis.exceptions import RedisError

from .._core.broker_options import effective_visibility_timeout, job_queues, queue_name
from .._core.declaration import DEFAULT_TIME_LIMIT
from .._core.queues import DEFAULT
from .._core.records import JobRecords
from .._core.redis_client import redis_client
from .._core.sending import ENQUEUED_AT_HEADER, send_job
from .._core.settings import RuntimeSettings
from .._core.status import JobStatusReader
from . import resources
from .repeating_step import RepeatingStep, Schedule

log = logging.getLogger(__name__)
SWEEP_BATCH = 100


def _note(change: Callable[[JobRecords, str], None], job_id: str | None) -> None:
    # Bookkeeping must never fail a job; a missed note at worst republishes a job
    # whose state the sweep then finds final.
    if not job_id:
        return
    try:
        change(resources.job_records(), job_id)
    except (RedisError, OSError) as exc:
        log.warning("could not note job %s as %s: %s", job_id, change.__name__, exc)


@lru_cache(maxsize=1)
def _sweep_threshold() -> float:
    return 2 * effective_visibility_timeout(resources.settings(), resources.jobs())


def note_started(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    # The sweep looks at jobs silent for twice the visibility timeout. A job that
    # starts early enough to end (within its hard limit) before then needs no sign of
    # life: that is nearly every job, and it saves each one a Redis round trip.
    published = getattr(getattr(task, "request", None), ENQUEUED_AT_HEADER, None)
    hard_limit = getattr(task, "time_limit", None) or DEFAULT_TIME_LIMIT
    if published is not None and time.time() - float(published) + hard_limit < _sweep_threshold():
        return
    _note(JobRecords.alive, task_id)


def note_retrying(request: Any = None, **_: Any) -> None:
    _note(JobRecords.alive, getattr(request, "id", None))


def note_failed(task_id: str | None = None, **_: Any) -> None:
    _note(JobRecords.ended, task_id)


def note_revoked(request: Any = None, **_: Any) -> None:
    _note(JobRecords.ended, getattr(request, "id", None))


def waiting_in(app: Celery, queue: str) -> int:
    """Messages waiting in a queue, on either broker (Redis sums its priority lists)."""
    with app.connection_for_write() as connection, connection.channel() as channel:
        try:
            # The stubs type the answer as the queue name; kombu returns
            # (name, message_count, consumer_count).
            declared: Any = Queue(queue).bind(channel).queue_declare(passive=True)
        except ChannelError:  # no such queue yet: nothing waits in it
            return 0
        return int(declared.message_count)


def republish_silent_jobs(app: Celery, settings: RuntimeSettings) -> list[str]:
    """Publish again the jobs nobody has heard of for too long; return their ids."""
    redis = redis_client(settings)
    lock = f"{settings.key_prefix}jobs:lost-job-sweep"
    if not redis.set(lock, "1", nx=True, ex=max(1, int(settings.unacked_restore_interval))):
        return []  # another worker sweeps this round
    records = resources.job_records()
    reader = JobStatusReader(app, records)
    republished = []
    backlog: dict[str, int] = {}
    threshold = 2 * effective_visibility_timeout(settings, resources.jobs())
    queue_of = job_queues(settings, resources.jobs())
    default_queue = queue_name(settings, DEFAULT)
    for job_id in records.silent_since(threshold, SWEEP_BATCH):
        record = records.get(job_id)
        if record is None or reader.status_of(record).state in states.READY_STATES:
            records.ended(job_id)
            continue
        queue = queue_of.get(record.name, default_queue)
        if queue not in backlog:
            backlog[queue] = waiting_in(app, queue)
        if backlog[queue]:
            continue  # a backlog: the job may simply be waiting its turn
        send_job(app, record.name, job_id, record.payload, record.request_id)
        records.alive(job_id)
        republished.append(job_id)
        log.warning(
            "republished job %s (%s): no sign of it since it was accepted", job_id, record.name
        )
    return republished


class LostJobSweeper(RepeatingStep):
    """Runs `republish_silent_jobs` in the worker's main process on its timer."""

    def schedule(self, parent: Any) -> Schedule:
        return resources.settings().unacked_restore_interval, self._sweep, (parent.app,)

    @staticmethod
    def _sweep(app: Celery) -> None:
        try:
            republish_silent_jobs(app, resources.settings())
        except (RedisError, KombuError, OSError) as exc:
            log.warning("lost-job sweep skipped: %s", exc)
