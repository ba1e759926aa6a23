"""A long job, written as `async def`: reports progress while it runs and stores its
output outside the result backend, returning only a pointer to it. It runs on the
worker process's event loop, with the same limits and retries as any job."""

import asyncio
from typing import Any

from pydantic import Field

from durable_jobs import JobSpec, JobTask, Payload, Queue, job, report_progress

from ..integrations.storage import storage

STEPS = 10


class Report(Payload):
    rows: int = Field(1000, gt=0, le=1_000_000)
    seconds_per_step: float = Field(
        0.05, ge=0, le=1, description="Simulated work per tenth of the report."
    )


REPORT = JobSpec(
    name="reports.build",
    payload=Report,
    soft_time_limit=240,
    time_limit=300,
    max_retries=3,
    retry_backoff_max=120,
    queue=Queue.LOW,
    retry_on=(ConnectionError, TimeoutError),
)


@job(REPORT)
async def build_report(task: JobTask, payload: Report) -> dict[str, Any]:
    lines = ["row,value"]
    per_step = max(1, payload.rows // STEPS)
    for step in range(STEPS):
        first = step * per_step
        last = payload.rows if step == STEPS - 1 else first + per_step
        lines.extend(f"{row},{row * row}" for row in range(first, last))
        await asyncio.sleep(payload.seconds_per_step)
        report_progress(task, (step + 1) * 100 // STEPS)
    # Named by job id: a redelivered job overwrites its own file, never another's.
    stored = storage().write_lines(f"reports/{task.request.id}.csv", lines)
    return stored.as_result()
