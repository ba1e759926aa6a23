"""Publishing jobs: answers only once the broker holds the message, never blocks the loop.

Publishing is blocking I/O (kombu and redis-py are synchronous), so it runs on a small
thread pool and the request waits for it with a deadline. A broker that is down or
too slow turns into `BrokerUnavailable` within `ENQUEUE_TIMEOUT`, which the API
answers with 503 and Retry-After.
"""

import asyncio
import contextlib
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

P = TypeVar("P", bound=BaseModel)


def send_job(
    celery: Celery, name: str, job_id: str, payload: dict[str, Any], request_id: str | None
) -> None:
    celery.send_task(
        name,
        args=[payload],
        task_id=job_id,
        headers={REQUEST_ID_HEADER: request_id},
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
        loop = asyncio.get_running_loop()
        publishing = loop.run_in_executor(self._threads, self.publish, spec, payload, request_id)
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

    def _forget(self, job_id: str) -> None:
        # Best effort: with the broker down this usually fails too, and a leftover
        # record only turns an id nobody was given from 404 into PENDING.
        with contextlib.suppress(RedisError, OSError):
            self.records.forget(job_id)

    def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
