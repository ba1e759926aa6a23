"""Enqueueing jobs: answers only once the broker holds the message, never blocks the loop.

`enqueue` (the API's path) hands the job to this broker's batching publisher
(`publisher.py`) and waits for it within ENQUEUE_TIMEOUT. A broker that is down, too
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

from .celery_app import make_celery
from .declaration import Job, JobSpec, spec_of
from .publisher import Publisher
from .records import JobRecords
from .request_context import current_request_id
from .sending import AcceptedJob, BrokerUnavailable, OutgoingJob, publish_batch, send_job
from .settings import RuntimeSettings

P = TypeVar("P", bound=BaseModel)


class JobClient:
    """Records and publishes the service's `jobs`. `enqueue` serves one event loop (the
    API's): its publisher starts on the loop of the first call; `aclose` on that loop
    ends it."""

    def __init__(
        self,
        settings: RuntimeSettings,
        jobs: tuple[Job[Any], ...],
        celery: Celery | None = None,
    ) -> None:
        self.celery = celery or make_celery(settings, jobs)
        self.records = JobRecords.for_settings(settings)
        self._settings = settings
        self._jobs = jobs
        self._timeout = settings.enqueue_timeout
        self._publisher: Publisher | None = None

    async def enqueue(
        self, job: Job[P] | JobSpec[P], payload: P, *, request_id: str | None = None
    ) -> AcceptedJob:
        """Publish `job` (a declared job, or its spec) with `payload`, carrying the current
        request's id unless one is given."""
        outgoing = self._outgoing(job, payload, request_id)
        if self._publisher is None:
            # Started by the first job, on the event loop that serves the requests.
            self._publisher = Publisher(self.celery, self.records, self._settings, self._jobs)
        return await self._within_deadline(self._publisher.submit(outgoing))

    async def resend(
        self, job_id: str, name: str, payload: dict[str, Any], request_id: str | None
    ) -> AcceptedJob:
        """Publish a job again under its own id (a dead letter sent back)."""
        loop = asyncio.get_running_loop()
        sending = loop.run_in_executor(None, self._republish, job_id, name, payload, request_id)
        return await self._within_deadline(sending)

    def publish(
        self, job: Job[P] | JobSpec[P], payload: P, request_id: str | None = None
    ) -> AcceptedJob:
        """Record and publish one job, blocking; `enqueue` is the API's path."""
        outgoing = self._outgoing(job, payload, request_id)
        publish_batch(self.celery, self.records, [outgoing])
        return AcceptedJob(outgoing.id, outgoing.name)

    @staticmethod
    def _outgoing(job: Job[P] | JobSpec[P], payload: P, request_id: str | None) -> OutgoingJob:
        spec = spec_of(job)
        if not isinstance(payload, spec.payload):
            raise TypeError(f"{spec.name} takes a {spec.payload.__name__} payload")
        return OutgoingJob(
            str(uuid4()),
            job.name,
            payload.model_dump(mode="json"),
            request_id or current_request_id(),
        )

    async def _within_deadline(self, accepted: Awaitable[AcceptedJob]) -> AcceptedJob:
        try:
            async with asyncio.timeout(self._timeout):
                return await accepted
        except TimeoutError as exc:
            raise BrokerUnavailable(
                f"the broker did not accept the job within {self._timeout:g} s"
            ) from exc

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
        if self._publisher is not None:
            await self._publisher.aclose()
        self.close()

    def close(self) -> None:
        """Let go of Celery's broker connections (enough for code that only `publish`es)."""
        self.celery.close()
