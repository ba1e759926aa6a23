"""Which job ids the service accepted.

Celery reports PENDING for any id it has never seen, so the API keeps its own record:
an id without one is answered 404, not "pending forever".
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis


@dataclass(frozen=True)
class JobRecord:
    id: str
    name: str
    accepted_at: str
    request_id: str | None


class JobRecords:
    def __init__(self, redis: Redis, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds

    def _key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

    def accept(self, job_id: str, name: str, request_id: str | None) -> JobRecord:
        record = JobRecord(
            id=job_id,
            name=name,
            accepted_at=datetime.now(UTC).isoformat(),
            request_id=request_id,
        )
        self._redis.set(self._key(job_id), json.dumps(record.__dict__), ex=self._ttl)
        return record

    def forget(self, job_id: str) -> None:
        self._redis.delete(self._key(job_id))

    def get(self, job_id: str) -> JobRecord | None:
        raw = self._redis.get(self._key(job_id))
        if raw is None:
            return None
        return JobRecord(**json.loads(str(raw)))
