"""Publishing jobs: answers only once the broker holds the message, never blocks the loop.

Publishing is blocking I/O (kombu and redis-py are synchronous), so it runs on a small
thread pool and the request waits for it with a deadline. A broker that is down or
too slow turns into `BrokerUnavailable` within `ENQUEUE_TIMEOUT`, which the API
answers with 503 and Retry-After.
"""

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import uuid4

from celery import Celery
from kombu.exceptions import KombuError
from pydantic import BaseModel
from redis.exceptions import RedisError

from ..settings import Settings
from .catalog import JobSpec
from .celery_app import make_celery
from .records import JobRecords

REQUEST_ID_HEADER = "request_id"
# When the job was published (Unix time): the worker measures queue wait from it.
ENQUEUED_AT_HEADER = "enqueued_at"

P = TypeVar("P", bound=BaseModel)


def send_job(
    celery: Celery, name: str, job_id: str, payload: dict[str, Any], request_id: str | None
) -> None:
    celery.send_task(
        name,
        args=[payload],
        task_id=job_id,
        headers={REQUEST_ID_HEADER: request_id, ENQUEUED_AT_HEADER: time.time()},
        # Fail fast: the caller decides about retrying, not kombu.
        retry=False,
    )


class BrokerUnavailable(Exception):
    """The broker did not accept the job; nothing was enqueued."""


@dataclass(frozen=True)
class AcceptedJob:
    id: str
    name: str


class JobClient:
    def __init__(self, settings: Settings, celery: Celery | None = None) -> None:
        self.celery = celery or make_celery(settings)
        self.records = JobRecords.for_settings(settings)
        self._timeout = settings.enqueue_timeout
        self._threads = ThreadPoolExecutor(settings.enqueue_threads, thread_name_prefix="enqueue")

    async def enqueue(
        self, spec: JobSpec[P], payload: P, *, request_id: str | None = None
    ) -> AcceptedJob:
        return await self._within_deadline(self.publish, spec, payload, request_id)

    async def resend(
        self, job_id: str, name: str, payload: dict[str, Any], request_id: str | None
    ) -> AcceptedJob:
        """Publish a job again under its own id (a dead letter sent back)."""
        return await self._within_deadline(self._republish, job_id, name, payload, request_id)

    async def _within_deadline(
        self, publish: Callable[..., AcceptedJob], *args: Any
    ) -> AcceptedJob:
        loop = asyncio.get_running_loop()
        # The publishing thread logs with the request's context (its request id).
        context = contextvars.copy_context()
        publishing = loop.run_in_executor(self._threads, context.run, publish, *args)
        try:
            return await asyncio.wait_for(publishing, self._timeout)
        except TimeoutError as exc:
            raise BrokerUnavailable(
                f"the broker did not accept the job within {self._timeout:g} s"
            ) from exc

    def publish(self, spec: JobSpec[P], payload: P, request_id: str | None = None) -> AcceptedJob:
        """Record and publish one job, blocking; `enqueue` is the async entry point."""
        job_id = str(uuid4())
        try:
            # Record first: a fast worker may finish before send_task returns, and a
            # client polling the id it got back must never see 404.
            body = payload.model_dump(mode="json")
            self.records.accept(job_id, spec.name, request_id, body)
            try:
                send_job(self.celery, spec.name, job_id, body, request_id)
            except BaseException:
                self._forget(job_id)
                raise
        except (KombuError, RedisError, OSError) as exc:
            raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc
        return AcceptedJob(job_id, spec.name)

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

    def _forget(self, job_id: str) -> None:
        # Best effort: with the broker down this usually fails too, and a leftover
        # record only turns an id nobody was given from 404 into PENDING.
        with contextlib.suppress(RedisError, OSError):
            self.records.forget(job_id)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
