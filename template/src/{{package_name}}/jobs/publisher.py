"""RabbitMQ brokers: one thread publishes every job the API accepts, in batches.

(kombu's AMQP client is synchronous; on Redis the event loop publishes itself,
`loop_publisher.py`.) A request hands its job to a bounded queue and waits, within
ENQUEUE_TIMEOUT, for the thread to report that the broker holds it. The thread takes
whatever is waiting (up to PUBLISH_BATCH_SIZE jobs), writes their records in one Redis
pipeline and publishes their messages in one kombu `Producer.batch()`, each with its
publisher confirm. The event loop never waits on a socket.

Backpressure: when PUBLISH_QUEUE_SIZE jobs are already waiting the broker is not
keeping up, and a new job is refused at once (503 with Retry-After) instead of
queueing in memory behind the others. A request that gave up (its deadline passed)
before the thread reached its job is never published.

`publish_batch` is also how scripts (`JobClient.publish`) and the outbox relay publish,
on either broker.
"""

import logging
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from .records import JobRecords
from .sending import AcceptedJob, BrokerUnavailable, send_job

log = logging.getLogger(__name__)


@dataclass
class OutgoingJob:
    id: str
    name: str
    payload: dict[str, Any]
    request_id: str | None


@dataclass
class PendingJob(OutgoingJob):
    future: "Future[AcceptedJob]" = field(default_factory=Future)


def publish_batch(celery: Celery, records: JobRecords, jobs: Sequence[OutgoingJob]) -> None:
    """Record jobs as accepted and publish them: one Redis pipeline, one producer batch.

    Records first: a fast worker may finish before the batch is flushed, and a client
    polling its job id must never see 404. Raises BrokerUnavailable, after dropping
    the records, when Redis or the broker refuses.
    """
    try:
        records.accept_many([(job.id, job.name, job.request_id, job.payload) for job in jobs])
        try:
            with celery.producer_or_acquire() as producer, producer.batch(max_size=2 * len(jobs)):
                for job in jobs:
                    send_job(
                        celery, job.name, job.id, job.payload, job.request_id, producer=producer
                    )
        except BaseException:
            records.discard([job.id for job in jobs])
            raise
    except (KombuError, RedisError, OSError) as exc:
        raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc


class BatchPublisher:
    def __init__(self, celery: Celery, records: JobRecords, capacity: int, batch_size: int) -> None:
        self._celery = celery
        self._records = records
        self._capacity = capacity
        self._batch_size = batch_size
        self._waiting: queue.Queue[PendingJob | None] = queue.Queue(maxsize=capacity)
        self._thread = threading.Thread(target=self._run, name="job-publisher", daemon=True)
        self._thread.start()

    def submit(self, job: PendingJob) -> "Future[AcceptedJob]":
        try:
            self._waiting.put_nowait(job)
        except queue.Full:
            raise BrokerUnavailable(
                f"{self._capacity} jobs are already waiting for the broker"
            ) from None
        return job.future

    def waiting(self) -> int:
        """Jobs handed over and not yet taken by the thread."""
        return self._waiting.qsize()

    def close(self, timeout: float = 5) -> None:
        try:
            self._waiting.put(None, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            first = self._waiting.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._batch_size:
                try:
                    job = self._waiting.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._publish(batch)
                    return
                batch.append(job)
            self._publish(batch)

    def _publish(self, batch: list[PendingJob]) -> None:
        # A request that timed out cancelled its future: its job is never published.
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        try:
            publish_batch(self._celery, self._records, live)
        except BrokerUnavailable as exc:
            self._refuse(live, exc)
            return
        except Exception as exc:  # the thread must outlive any one batch
            log.exception("publishing %d jobs failed", len(live))
            self._refuse(live, BrokerUnavailable(f"publishing failed: {exc}"))
            return
        for job in live:
            job.future.set_result(AcceptedJob(job.id, job.name))

    @staticmethod
    def _refuse(jobs: list[PendingJob], error: BrokerUnavailable) -> None:
        for job in jobs:
            job.future.set_exception(error)
