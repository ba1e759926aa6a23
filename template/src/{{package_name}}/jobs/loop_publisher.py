"""Redis brokers: the API's event loop publishes jobs itself, in batches, no thread.

A request hands its job over and awaits the answer (within ENQUEUE_TIMEOUT, which the
caller enforces). While one batch is on its way to Redis, the jobs that arrive wait;
when it is back, all of them leave together in the next (up to PUBLISH_BATCH_SIZE).
Under load, batches grow by themselves and a request costs a share of one round trip;
with one request at a time, a batch is that one job. Writing is asynchronous I/O
(`redis_batches.py`), so the loop is never held on a socket.

Backpressure: when PUBLISH_QUEUE_SIZE jobs are already waiting, Redis is not keeping
up, and a new job is refused at once (503 with Retry-After). A request that gave up
(its deadline passed, or its client left) before its batch was taken is never
published.

RabbitMQ's client library is synchronous; there, a thread does the same job
(`publisher.py`).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from .publisher import OutgoingJob
from .sending import AcceptedJob, BrokerUnavailable

log = logging.getLogger(__name__)

Write = Callable[[Sequence[OutgoingJob]], Awaitable[None]]


class LoopPublisher:
    def __init__(self, write: Write, capacity: int, batch_size: int) -> None:
        self._write = write
        self._capacity = capacity
        self._batch_size = batch_size
        self._waiting: list[tuple[OutgoingJob, asyncio.Future[AcceptedJob]]] = []
        self._sending: asyncio.Task[None] | None = None

    def submit(self, job: OutgoingJob) -> "asyncio.Future[AcceptedJob]":
        """The job's future: its AcceptedJob once Redis holds it, or BrokerUnavailable."""
        if len(self._waiting) >= self._capacity:
            raise BrokerUnavailable(f"{self._capacity} jobs are already waiting for the broker")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[AcceptedJob] = loop.create_future()
        self._waiting.append((job, future))
        if self._sending is None:
            self._sending = loop.create_task(self._send_all(), name="job-publisher")
        return future

    def waiting(self) -> int:
        """Jobs handed over and not yet taken into a batch."""
        return len(self._waiting)

    async def drain(self) -> None:
        """Wait for the jobs already handed over (at shutdown)."""
        if self._sending is not None:
            await asyncio.shield(self._sending)

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
            self._sending = None

    async def _send(self, batch: list[tuple[OutgoingJob, "asyncio.Future[AcceptedJob]"]]) -> None:
        try:
            await self._write([job for job, _ in batch])
        except BrokerUnavailable as exc:
            error = exc
        except Exception as exc:  # the publisher must outlive any one batch
            log.exception("publishing %d jobs failed", len(batch))
            error = BrokerUnavailable(f"publishing failed: {exc}")
        else:
            for job, future in batch:
                if not future.done():
                    future.set_result(AcceptedJob(job.id, job.name))
            return
        for _, future in batch:
            if not future.done():
                future.set_exception(error)
