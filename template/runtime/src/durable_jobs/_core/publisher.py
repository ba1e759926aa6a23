"""The API's publisher on either broker: the event loop publishes jobs itself, in
batches, no thread.

A request hands its job over and awaits the answer (within ENQUEUE_TIMEOUT, which the
caller enforces). While one batch is on its way to the broker, the jobs that arrive
wait; when it is back, all of them leave together in the next (up to
PUBLISH_BATCH_SIZE). Under load, batches grow by themselves and a request costs a
share of one round trip; with one request at a time, a batch is that one job. The
broker's writer (`redis_batch_writer.py`, `amqp_batch_writer.py`) does asynchronous
I/O, so the loop is never held on a socket.

Backpressure: when PUBLISH_QUEUE_SIZE jobs are already waiting, the broker is not
keeping up, and a new job is refused at once (503 with Retry-After). A request that
gave up (its deadline passed, or its client left) before its batch was taken is never
published.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from celery import Celery

from .broker_options import is_redis
from .declaration import Job
from .records import JobRecords
from .redis_batch_writer import RedisBatchWriter
from .sending import AcceptedJob, BrokerUnavailable, OutgoingJob
from .settings import RuntimeSettings

log = logging.getLogger(__name__)

# Writes a batch: None when the broker holds all of it, else one refusal (or None)
# per job, in order; raises BrokerUnavailable when it holds none.
Write = Callable[[Sequence[OutgoingJob]], Awaitable[Sequence[BrokerUnavailable | None] | None]]


class LoopPublisher:
    """Up to `lanes` batches in flight at once (one on Redis, where a script call is
    the unit; several on RabbitMQ, where confirms of one batch need not hold up the
    next)."""

    def __init__(self, write: Write, capacity: int, batch_size: int, lanes: int = 1) -> None:
        self._write = write
        self._capacity = capacity
        self._batch_size = batch_size
        self._lanes = lanes
        self._waiting: list[tuple[OutgoingJob, asyncio.Future[AcceptedJob]]] = []
        self._sending: set[asyncio.Task[None]] = set()

    def submit(self, job: OutgoingJob) -> "asyncio.Future[AcceptedJob]":
        """The job's future: its AcceptedJob once the broker holds it, or BrokerUnavailable."""
        if len(self._waiting) >= self._capacity:
            raise BrokerUnavailable(f"{self._capacity} jobs are already waiting for the broker")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AcceptedJob] = loop.create_future()
        self._waiting.append((job, future))
        if len(self._sending) < self._lanes:
            self._sending.add(loop.create_task(self._send_all(), name="job-publisher"))
        return future

    def waiting(self) -> int:
        """Jobs handed over and not yet taken into a batch."""
        return len(self._waiting)

    async def drain(self) -> None:
        """Wait for the jobs already handed over (at shutdown)."""
        while self._sending:
            await asyncio.shield(asyncio.gather(*self._sending, return_exceptions=True))

    async def _send_all(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._batch_size]
                del self._waiting[: self._batch_size]
                # A request that gave up cancelled its future: its job is never published.
                live = [(job, future) for job, future in batch if not future.done()]
                if live:
                    await self._send(live)
        finally:
            # Here, not in a done callback: a job submitted before that ran would find
            # every lane taken and wait for nobody.
            self._sending.discard(asyncio.current_task())

    async def _send(self, batch: list[tuple[OutgoingJob, "asyncio.Future[AcceptedJob]"]]) -> None:
        refusals: Sequence[BrokerUnavailable | None]
        try:
            refusals = await self._write([job for job, _ in batch]) or [None] * len(batch)
        except BrokerUnavailable as exc:
            refusals = [exc] * len(batch)
        except Exception as exc:  # the publisher must outlive any one batch
            log.exception("publishing %d jobs failed", len(batch))
            refusals = [BrokerUnavailable(f"publishing failed: {exc}")] * len(batch)
        for (job, future), refusal in zip(batch, refusals, strict=True):
            if future.done():
                continue
            if refusal is None:
                future.set_result(AcceptedJob(job.id, job.name))
            else:
                future.set_exception(refusal)


class BatchWriter(Protocol):
    LANES: int

    async def write(
        self, jobs: Sequence[OutgoingJob]
    ) -> Sequence[BrokerUnavailable | None] | None: ...

    async def aclose(self) -> None: ...


def batch_writer(
    celery: Celery, records: JobRecords, settings: RuntimeSettings, jobs: tuple[Job[Any], ...]
) -> BatchWriter:
    """The writer of the broker BROKER_URL names."""
    if is_redis(settings.effective_broker_url):
        return RedisBatchWriter(celery, records, settings, jobs)
    # Imported here: aio-pika is the runtime's `rabbitmq` extra, absent on Redis services.
    from .amqp_batch_writer import AmqpBatchWriter  # noqa: PLC0415

    return AmqpBatchWriter(celery, records, settings, jobs)


class Publisher:
    """What `JobClient.enqueue` hands jobs to: the loop publisher over this broker's
    batch writer."""

    def __init__(
        self,
        celery: Celery,
        records: JobRecords,
        settings: RuntimeSettings,
        jobs: tuple[Job[Any], ...],
    ) -> None:
        self._writer = batch_writer(celery, records, settings, jobs)
        self._loop = LoopPublisher(
            self._writer.write,
            settings.publish_queue_size,
            settings.publish_batch_size,
            lanes=self._writer.LANES,
        )

    def submit(self, job: OutgoingJob) -> Awaitable[AcceptedJob]:
        return self._loop.submit(job)

    async def aclose(self) -> None:
        await self._loop.drain()
        await self._writer.aclose()
