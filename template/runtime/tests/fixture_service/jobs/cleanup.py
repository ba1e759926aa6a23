"""A periodic chore (Beat sends it nightly): delete stored job outputs older than the
retention period."""

import time

from pydantic import Field

from durable_jobs import JobSpec, JobTask, Payload, Queue, job

from ..integrations.storage import storage

SECONDS_PER_DAY = 86_400


class CleanupOutputs(Payload):
    older_than_days: int = Field(7, ge=1, le=3650)


CLEANUP_OUTPUTS = JobSpec(
    name="storage.cleanup_outputs",
    payload=CleanupOutputs,
    soft_time_limit=240,
    time_limit=300,
    max_retries=2,
    retry_backoff_max=60,
    # Nobody polls it: a periodic chore, its outcome is in the worker's log.
    keeps_result=False,
    queue=Queue.LOW,
)


@job(CLEANUP_OUTPUTS)
def cleanup_outputs(task: JobTask, payload: CleanupOutputs) -> dict[str, int]:
    # Deleting is idempotent: a second delivery finds less to delete, nothing more.
    cutoff = time.time() - payload.older_than_days * SECONDS_PER_DAY
    return {"deleted": storage().delete_older_than(cutoff)}
