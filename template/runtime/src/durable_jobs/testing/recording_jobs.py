"""A stand-in for the API's job client that records what routes enqueue, so a
service's route tests need no broker: `jobs = record_jobs(app)` before the TestClient."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from .._core.declaration import Job, JobSpec
from .._core.request_context import current_request_id
from .._core.sending import AcceptedJob, BrokerUnavailable
from .._web.dependencies import _jobs


@dataclass
class SentJob:
    name: str
    payload: BaseModel
    request_id: str | None


@dataclass
class RecordingJobs:
    """What the routes enqueued, in order; `broker_down = True` makes every enqueue
    fail as it does when the broker is unreachable (the route answers 503)."""

    sent: list[SentJob] = field(default_factory=list)
    broker_down: bool = False

    async def enqueue(
        self, job: Job[Any] | JobSpec[Any], payload: BaseModel, *, request_id: str | None = None
    ) -> AcceptedJob:
        if self.broker_down:
            raise BrokerUnavailable("test: broker down")
        self.sent.append(SentJob(job.name, payload, request_id or current_request_id()))
        return AcceptedJob(id=f"00000000-0000-4000-8000-{len(self.sent):012d}", name=job.name)


def record_jobs(app: FastAPI) -> RecordingJobs:
    """Make `app`'s routes enqueue into a RecordingJobs, which is returned."""
    jobs = RecordingJobs()
    app.dependency_overrides[_jobs] = lambda: jobs
    return jobs
