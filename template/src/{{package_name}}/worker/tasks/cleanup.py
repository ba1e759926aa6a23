"""A periodic chore: delete stored job outputs older than the retention period."""

import time

from ...jobs.catalog import CLEANUP_OUTPUTS
from ...jobs.payloads import CleanupOutputs
from .. import resources
from ..job_task import AnyTask, job_task

SECONDS_PER_DAY = 86_400


@job_task(CLEANUP_OUTPUTS)
def cleanup_outputs(task: AnyTask, payload: CleanupOutputs) -> dict[str, int]:
    # Deleting is idempotent: a second delivery finds less to delete, nothing more.
    cutoff = time.time() - payload.older_than_days * SECONDS_PER_DAY
    deleted = resources.storage().delete_older_than(cutoff)
    return {"deleted": deleted}
