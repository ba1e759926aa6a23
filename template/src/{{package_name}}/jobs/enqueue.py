"""Enqueueing jobs: answers only once the broker holds the message, never blocks the loop.

`enqueue` (the API's path) hands the job to the batch publisher thread
(`publisher.py`) and waits for it within ENQUEUE_TIMEOUT; a broker that is down, too
slow or saturated turns into `BrokerUnavailable`, which the API answers with 503 and
Retry-After. `publish` does the same synchronously, for scripts and tests.
"""

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar
from uuid import uuid4

from celery import Celery
from kombu.exceptions import KombuError
from pydantic import BaseModel
from redis.exceptions import RedisError

from ..settings import Settings
from .catalog import JobSpec
from .celery_app import make_celery
from .publisher import BatchPublisher, OutgoingJob, PendingJob, publish_batch
from .records import JobRecords
from .sending import AcceptedJob, BrokerUnavailable, send_job

P = TypeVar("P", bound=BaseModel)


class JobClient:
    def __init__(self, settings: Settings, celery: Celery | None = None) -> None:
        self.celery = celery or make_celery(settings)
        self.records = JobRecords.for_settings(settings)
        self._settings = settings
        self._timeout = settings.enqueue_timeout
        self._publisher: BatchPublisher | None = None

    async def enqueue(
        self, spec: JobSpec[P], payload: P, *, request_id: str | None = None
    ) -> AcceptedJob:
        job = PendingJob(str(uuid4()), spec.name, payload.model_dump(mode="json"), request_id)
        return await self._within_deadline(asyncio.wrap_future(self._batch_publisher().submit(job)))

    async def resend(
        self, job_id: str, name: str, payload: dict[str, Any], request_id: str | None
    ) -> AcceptedJob:
        """Publish a job again under its own id (a dead letter sent back)."""
        loop = asyncio.get_running_loop()
        sending = loop.run_in_executor(None, self._republish, job_id, name, payload, request_id)
        return await self._within_deadline(sending)

    async def _within_deadline(self, accepted: Awaitable[AcceptedJob]) -> AcceptedJob:
        try:
            return await asyncio.wait_for(accepted, self._timeout)
        except TimeoutError as exc:
            raise BrokerUnavailable(
                f"the broker did not accept the job within {self._timeout:g} s"
            ) from exc

    def publish(self, spec: JobSpec[P], payload: P, request_id: str | None = None) -> AcceptedJob:
        """Record and publish one job, blocking; `enqueue` is the API's path."""
        job = OutgoingJob(str(uuid4()), spec.name, payload.model_dump(mode="json"), request_id)
        publish_batch(self.celery, self.records, [job])
        return AcceptedJob(job.id, job.name)

    def _batch_publisher(self) -> BatchPublisher:
        if self._publisher is None:
            self._publisher = BatchPublisher(
                self.celery,
                self.records,
                self._settings.publish_queue_size,
                self._settings.publish_batch_size,
            )
        return self._publisher

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

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.close()
