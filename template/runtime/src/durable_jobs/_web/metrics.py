"""The API's Prometheus metrics, served at /metrics: requests by route and status, and
how enqueueing goes (accepted, refused, how long the broker took)."""

import time
from functools import lru_cache

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

from .._core.declaration import Job, JobSpec
from .._core.enqueue import JobClient, P
from .._core.sending import AcceptedJob, BrokerUnavailable

REQUESTS = Counter("http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request.", ["method", "route"]
)
ENQUEUED = Counter("jobs_enqueued_total", "Jobs the broker accepted.", ["job"])
ENQUEUE_FAILURES = Counter(
    "job_enqueue_failures_total",
    "Jobs the broker refused or did not accept in time (answered 503).",
    ["job"],
)
ENQUEUE_SECONDS = Histogram(
    "job_enqueue_duration_seconds",
    "Time for the broker to accept a job.",
    ["job"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


class MeasuredJobClient(JobClient):
    """The job client, counting what the broker accepted and refused, and how fast."""

    async def enqueue(
        self, job: Job[P] | JobSpec[P], payload: P, *, request_id: str | None = None
    ) -> AcceptedJob:
        started = time.perf_counter()
        enqueued, failures, seconds = _job_series(job.name)
        try:
            accepted = await super().enqueue(job, payload, request_id=request_id)
        except BrokerUnavailable:
            failures.inc()
            raise
        seconds.observe(time.perf_counter() - started)
        enqueued.inc()
        return accepted


@lru_cache(maxsize=256)
def _job_series(job: str) -> tuple[Counter, Counter, Histogram]:
    # Looked up once per job name: `labels()` takes a lock on every call.
    return ENQUEUED.labels(job), ENQUEUE_FAILURES.labels(job), ENQUEUE_SECONDS.labels(job)
