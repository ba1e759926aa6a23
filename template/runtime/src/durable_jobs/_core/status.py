"""What the API tells about a job: its state, progress, result pointer or error."""

from dataclasses import dataclass, replace
from typing import Any, cast

from celery import Celery, states
from celery.backends.base import KeyValueStoreBackend

from .records import JobRecord, JobRecords

PROGRESS = "PROGRESS"
# Every state a job's status can show: Celery's stored states (STARTED because tasks
# track it, REVOKED after `celery revoke`) and the runtime's PROGRESS. A job nothing
# has been stored for yet is PENDING.
JOB_STATES = (
    states.PENDING,
    states.STARTED,
    PROGRESS,
    states.RETRY,
    states.SUCCESS,
    states.FAILURE,
    states.REVOKED,
)

# Their stored result is the exception (a revoked job's says "revoked" or "purged").
STATES_WITH_ERROR = (states.FAILURE, states.RETRY, states.REVOKED)


@dataclass(frozen=True)
class JobError:
    type: str
    message: str


@dataclass(frozen=True)
class JobStatus:
    id: str
    name: str
    state: str
    accepted_at: str
    progress: dict[str, Any] | None = None
    result: Any = None
    error: JobError | None = None
    retries: int = 0


class JobStatusReader:
    def __init__(self, celery: Celery, records: JobRecords) -> None:
        # The result backend is always a key-value store (Redis) in this service.
        self._backend = cast(KeyValueStoreBackend, celery.backend)
        self._records = records

    def read(self, job_id: str) -> JobStatus | None:
        """None when the id was never accepted; blocking (Redis round trips)."""
        record = self._records.get(job_id)
        return None if record is None else self.status_of(record)

    def status_of(self, record: JobRecord) -> JobStatus:
        return self._status(record, self._meta(record.id))

    def _meta(self, job_id: str) -> dict[str, Any]:
        # Raw metadata, not AsyncResult: decoding a stored exception would import the
        # module that raised it, and the API must never import worker code.
        raw = self._backend.get(self._backend.get_key_for_task(job_id))
        if raw is None:
            return {"status": states.PENDING}
        meta: dict[str, Any] = self._backend.decode(raw)
        return meta

    @staticmethod
    def _status(record: JobRecord, meta: dict[str, Any]) -> JobStatus:
        status = JobStatus(
            id=record.id,
            name=record.name,
            state=str(meta.get("status", states.PENDING)),
            accepted_at=record.accepted_at,
            retries=int(meta.get("retries") or 0),
        )
        result = meta.get("result")
        if status.state == PROGRESS:
            return replace(status, progress=result)
        if status.state == states.SUCCESS:
            return replace(status, progress={"percent": 100}, result=result)
        if status.state in STATES_WITH_ERROR and isinstance(result, dict):
            return replace(status, error=_error(result))
        return status


def _error(stored: dict[str, Any]) -> JobError:
    message = stored.get("exc_message", "")
    if isinstance(message, list | tuple):
        message = " ".join(str(part) for part in message)
    return JobError(type=str(stored.get("exc_type", "Error")), message=str(message))
