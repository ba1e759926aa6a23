"""Enqueueing jobs: answers only once the broker holds the message, never blocks the loop.

`enqueue` (the API's path) hands the job to a batching publisher and waits for it
within ENQUEUE_TIMEOUT: on a Redis broker the event loop itself writes batches with
asynchronous I/O (`loop_publisher.py`, `redis_batches.py`); on RabbitMQ a publisher
thread does (`publisher.py`). A broker that is down, too slow or saturated turns into
`BrokerUnavailable`, which the API answers with 503 and Retry-After. `publish` does
the same synchronously, for scripts and tests.
"""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from uuid import uuid4

from celery import Celery
from kombu.exceptions import KombuError
from pydantic import BaseModel
from redis.exceptions import RedisError

from ..settings import Settings
from .broker_options import is_redis
from .catalog import JobSpec
from .celery_app import make_celery
from .loop_publisher import LoopPublisher
from .publisher import BatchPublisher, OutgoingJob, PendingJob, publish_batch
from .records import JobRecords
from .redis_batches import RedisBatchWriter
from .sending import AcceptedJob, BrokerUnavailable, send_job

P = TypeVar("P", bound=BaseModel)


class JobClient:
    """Records and publishes jobs. `enqueue` serves one event loop (the API's): its
    publisher starts on the loop of the first call; `aclose` on that loop ends it."""

    def __init__(self, settings: Settings, celery: Celery | None = None) -> None:
        self.celery = celery or make_celery(settings)
        self.records = JobRecords.for_settings(settings)
        self._settings = settings
        self._timeout = settings.enqueue_timeout
        self._submit: Callable[[OutgoingJob], Awaitable[AcceptedJob]] | None = None
        self._thread_publisher: BatchPublisher | None = None
        self._loop_publisher: LoopPublisher | None = None
        self._redis_writer: RedisBatchWriter | None = None

    async def enqueue(
        self, spec: JobSpec[P], payload: P, *, request_id: str | None = None
    ) -> AcceptedJob:
        job = OutgoingJob(str(uuid4()), spec.name, payload.model_dump(mode="json"), request_id)
        submit = self._submit or self._start_publisher()
        return await self._within_deadline(submit(job))

    async def resend(
        self, job_id: str, name: str, payload: dict[str, Any], request_id: str | None
    ) -> AcceptedJob:
        """Publish a job again under its own id (a dead letter sent back)."""
        loop = asyncio.get_running_loop()
        sending = loop.run_in_executor(None, self._republish, job_id, name, payload, request_id)
        return await self._within_deadline(sending)

    async def _within_deadline(self, accepted: Awaitable[AcceptedJob]) -> AcceptedJob:
        try:
            async with asyncio.timeout(self._timeout):
                return await accepted
        except TimeoutError as exc:
            raise BrokerUnavailable(
                f"the broker did not accept the job within {self._timeout:g} s"
            ) from exc

    def publish(self, spec: JobSpec[P], payload: P, request_id: str | None = None) -> AcceptedJob:
        """Record and publish one job, blocking; `enqueue` is the API's path."""
        job = OutgoingJob(str(uuid4()), spec.name, payload.model_dump(mode="json"), request_id)
        publish_batch(self.celery, self.records, [job])
        return AcceptedJob(job.id, job.name)

    def _start_publisher(self) -> Callable[[OutgoingJob], Awaitable[AcceptedJob]]:
        # Started by the first job, on the event loop that serves the requests.
        settings = self._settings
        capacity, batch_size = settings.publish_queue_size, settings.publish_batch_size
        if is_redis(settings.effective_broker_url):
            self._redis_writer = RedisBatchWriter(self.celery, self.records, settings)
            self._loop_publisher = LoopPublisher(self._redis_writer.write, capacity, batch_size)
            self._submit = self._loop_publisher.submit
        else:
            thread = BatchPublisher(self.celery, self.records, capacity, batch_size)
            self._thread_publisher = thread
            self._submit = lambda job: asyncio.wrap_future(
                thread.submit(PendingJob(job.id, job.name, job.payload, job.request_id))
            )
        return self._submit

    def _republish(
        self, job_id: str, name: str, payload: dict[str, Any], request_id: str | None
    ) -> AcceptedJob:
        try:
            self.records.accept(job_id, name, request_id, payload)
            # The old FAILURE would otherwise show until a worker picks the job up.
            self.celery.AsyncResult(job_id).forget()
            send_job(self.celery, name, job_id, payload, request_id)
        except (KombuError, RedisError, OSError) as exc:
            raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc
        return AcceptedJob(job_id, name)

    async def aclose(self) -> None:
        """Publish what was handed over, then let go of the publisher's connections."""
        if self._loop_publisher is not None:
            await self._loop_publisher.drain()
        if self._redis_writer is not None:
            await self._redis_writer.aclose()
        if self._thread_publisher is not None:
            await asyncio.to_thread(self._thread_publisher.close)
        self.close()

    def close(self) -> None:
        """Let go of Celery's broker connections (enough for code that only `publish`es)."""
        self.celery.close()
