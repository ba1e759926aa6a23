"""Putting jobs on the broker, and what a publisher answers."""

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from celery import Celery
from celery.utils.nodenames import anon_nodename
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from .records import JobRecords
from .redis_client import ReplicasBehind

REQUEST_ID_HEADER = "request_id"
# When the job was published (Unix time): the worker measures queue wait from it.
ENQUEUED_AT_HEADER = "enqueued_at"
# Celery would render the payload into every message for logs and Flower: slower to
# publish, and it would copy personal data (e-mail addresses) into log lines. Dead
# letters keep it.
ARGSREPR = "(payload)"


class BrokerUnavailable(Exception):
    """The broker did not accept the job; nothing was enqueued."""


@dataclass(frozen=True)
class AcceptedJob:
    id: str
    name: str


@dataclass
class OutgoingJob:
    id: str
    name: str
    payload: dict[str, Any]
    request_id: str | None


def job_headers(request_id: str | None, enqueued_at: float | None = None) -> dict[str, Any]:
    return {
        REQUEST_ID_HEADER: request_id,
        ENQUEUED_AT_HEADER: timestamp(time.time() if enqueued_at is None else enqueued_at),
    }


def timestamp(seconds: float) -> str:
    """A header's time, as decimal text to the microsecond: the same on every path.
    A float header is not: aio-pika (pamqp) encodes it in 32 bits, where a timestamp
    rounds to a 128-second step, and queue waits came out up to 64 s wrong. Readers
    take `float()` of it, which also reads the floats older messages carry."""
    return f"{seconds:.6f}"


def payload_of(args: Any, kwargs: Any) -> Any:
    """A job's payload in a message: its one argument, passed by position (as this
    service sends it) or by name (`kwargs={"payload": ...}`)."""
    if args:
        return args[0]
    return (kwargs or {}).get("payload")


@cache
def _origin(pid: int) -> str:
    """The `origin` header Celery computes for every message (host name included):
    once per process instead, keyed by pid so that a forked process has its own."""
    return anon_nodename()


def task_message(celery: Celery, job: OutgoingJob, headers: dict[str, Any]) -> Any:
    """The task message (protocol 2) `send_task` would build for `job`, by Celery's own
    code, with `headers` added: for the API's paths that publish without a producer
    (`redis_batch_writer.py`)."""
    task = celery.amqp.create_task_message(
        job.id,
        job.name,
        [job.payload],
        {},
        reply_to=celery.thread_oid,
        ignore_result=None,
        argsrepr=ARGSREPR,
        kwargsrepr="{}",
        origin=_origin(os.getpid()),
    )
    task.headers.update(headers)
    return task


def send_job(
    celery: Celery,
    name: str,
    job_id: str,
    payload: dict[str, Any],
    request_id: str | None,
    *,
    producer: Any = None,
) -> None:
    celery.send_task(
        name,
        args=[payload],
        task_id=job_id,
        headers=job_headers(request_id),
        producer=producer,
        argsrepr=ARGSREPR,
        kwargsrepr="{}",
        # Fail fast: the caller decides about retrying, not kombu.
        retry=False,
    )


def publish_batch(celery: Celery, records: JobRecords, jobs: Sequence[OutgoingJob]) -> None:
    """Record jobs as accepted and publish them: one Redis pipeline, one producer batch.

    Records first: a fast worker may finish before the batch is flushed, and a client
    polling its job id must never see 404. Raises BrokerUnavailable, after dropping
    the records, when Redis or the broker refuses. Scripts (`JobClient.publish`) and
    the outbox relay publish this way, on either broker.
    """
    try:
        records.accept_many([(job.id, job.name, job.request_id, job.payload) for job in jobs])
        try:
            with celery.producer_or_acquire() as producer, producer.batch(max_size=2 * len(jobs)):
                for job in jobs:
                    send_job(
                        celery, job.name, job.id, job.payload, job.request_id, producer=producer
                    )
        except ReplicasBehind:
            raise  # the messages are on the master: their jobs may run, records stay
        except BaseException:
            records.discard([job.id for job in jobs])
            raise
    except (KombuError, RedisError, OSError) as exc:
        raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc
