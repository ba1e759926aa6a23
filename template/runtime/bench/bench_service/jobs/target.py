"""What the bench enqueues: a job with a small payload, as a service's jobs have."""

from pydantic import Field

from durable_jobs import JobSpec, JobTask, Payload, job


class Target(Payload):
    rows: int = Field(gt=0, le=1000)
    label: str = Field(min_length=1, max_length=64)


TARGET = JobSpec("bench.target", Target, 10, 15, max_retries=1, retry_backoff_max=5)


@job(TARGET)
def target(task: JobTask, payload: Target) -> int:
    return payload.rows
