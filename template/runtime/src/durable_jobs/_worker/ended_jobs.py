"""Jobs that succeeded leave the in-flight index in batches, from the worker's main
process.

The main process learns of each success when it acknowledges the message
(`task_acks_late`, `job_request.py`). Noting it there, a few times a second in one
Redis command, spares every job a round trip in its pool process
(docs/performance.md).
If the whole worker dies before a batch is written, those jobs stay in the index a
while longer; the lost-job sweep (`lost_jobs.py`) finds them finished, or publishes
one that keeps no result once more, which its idempotency makes harmless.
"""

import logging
import threading
from typing import Any

from redis.exceptions import RedisError

from .._core.records import JobRecords
from . import resources
from .repeating_step import RepeatingStep, Schedule

log = logging.getLogger(__name__)
FLUSH_INTERVAL = 0.2
# Beyond this many unwritten ids (Redis away for long), new ones are not kept: the
# sweep cleans up after them.
MOST_PENDING = 100_000

_pending: set[str] = set()
_lock = threading.Lock()


def note_succeeded(job_id: str) -> None:
    """Called from the request's acknowledgement (`job_request.py`)."""
    with _lock:
        if len(_pending) < MOST_PENDING:
            _pending.add(job_id)


def flush(records: JobRecords) -> None:
    with _lock:
        ids = list(_pending)
        _pending.clear()
    if not ids:
        return
    try:
        records.ended(*ids)
    except (RedisError, OSError) as exc:
        log.warning("%d ended jobs not noted yet: %s", len(ids), exc)
        with _lock:
            _pending.update(ids[: max(0, MOST_PENDING - len(_pending))])


class EndedJobs(RepeatingStep):
    """Writes the successes noted since the last time, every FLUSH_INTERVAL seconds,
    and once more when the worker stops."""

    def schedule(self, parent: Any) -> Schedule:
        return FLUSH_INTERVAL, flush, (resources.job_records(),)

    def stop(self, parent: Any) -> None:
        super().stop(parent)
        flush(resources.job_records())
