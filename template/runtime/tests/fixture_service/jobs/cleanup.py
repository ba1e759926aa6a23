"""A periodic chore (Beat sends it nightly): delete stored job outputs older than the
retention period."""

import time

from celery.schedules import crontab
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


# Beat sends it nightly (worker/beat.py collects every job module's BEAT_SCHEDULE).
BEAT_SCHEDULE = {
    "nightly-cleanup-of-old-outputs": {
        "task": CLEANUP_OUTPUTS.name,
        "schedule": crontab(hour=3, minute=0),
        "args": [CleanupOutputs().model_dump()],
        # A tick still waiting after an hour (workers down, long backlog) is dropped:
        # the next night's run does the same work, and ticks must not pile up.
        "options": {"expires": 3600},
    },
}


@job(CLEANUP_OUTPUTS)
def cleanup_outputs(task: JobTask, payload: CleanupOutputs) -> dict[str, int]:
    # Deleting is idempotent: a second delivery finds less to delete, nothing more.
    cutoff = time.time() - payload.older_than_days * SECONDS_PER_DAY
    return {"deleted": storage().delete_older_than(cutoff)}
