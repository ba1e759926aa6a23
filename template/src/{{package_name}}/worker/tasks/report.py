"""A long job: reports progress while it runs and stores its output outside the result
backend, returning only a pointer to it."""

import time
from typing import Any

from ...jobs.catalog import REPORT
from ...jobs.payloads import Report
from ...jobs.status import PROGRESS
from .. import resources
from ..job_task import AnyTask, job_task

STEPS = 10


def report_progress(task: AnyTask, percent: int) -> None:
    # Progress belongs to a job id; a direct call (tests, a shell) has none.
    if task.request.id:
        task.update_state(state=PROGRESS, meta={"percent": percent})


@job_task(REPORT, retry_on=(ConnectionError, TimeoutError))
def build_report(task: AnyTask, payload: Report) -> dict[str, Any]:
    lines = ["row,value"]
    per_step = max(1, payload.rows // STEPS)
    for step in range(STEPS):
        first = step * per_step
        last = payload.rows if step == STEPS - 1 else first + per_step
        lines.extend(f"{row},{row * row}" for row in range(first, last))
        time.sleep(payload.seconds_per_step)
        report_progress(task, (step + 1) * 100 // STEPS)
    # Named by job id: a redelivered job overwrites its own file, never another's.
    stored = resources.storage().write_lines(f"reports/{task.request.id}.csv", lines)
    return stored.as_result()
