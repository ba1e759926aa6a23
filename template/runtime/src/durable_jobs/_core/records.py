"""Which jobs the service accepted, and which of them have not ended yet.

Celery reports PENDING for any id it has never seen, so the API keeps its own record:
an id without one is answered 404, not "pending forever". The record also keeps the
payload, so a job whose message the broker lost can be published again
(`_worker/lost_jobs.py`), and an in-flight index of each unfinished job's last sign of
life (accepted, started, retried).
"""

import contextlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import RedisError

from .redis_client import redis_client
from .settings import RuntimeSettings


@dataclass(frozen=True)
class JobRecord:
    id: str
    name: str
    accepted_at: str
    request_id: str | None
    # JSON: a payload model's fields, or what Celery's canvas passed on (a chain's
    # previous result, a chord's list of results).
    payload: Any


class JobRecords:
    def __init__(self, redis: Redis, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._inflight = f"{prefix}jobs:inflight"

    @classmethod
    def for_settings(cls, settings: RuntimeSettings) -> "JobRecords":
        return cls(redis_client(settings), settings.key_prefix, settings.job_record_ttl)

    def key(self, job_id: str) -> str:
        return f"{self._prefix}job:{job_id}"

    @property
    def inflight_key(self) -> str:
        return self._inflight

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    @staticmethod
    def new(jobs: list[tuple[str, str, str | None, dict[str, Any]]]) -> list[JobRecord]:
        accepted_at = datetime.now(UTC).isoformat()
        return [
            JobRecord(job_id, name, accepted_at, request_id, payload)
            for job_id, name, request_id, payload in jobs
        ]

    @staticmethod
    def encode(record: JobRecord) -> str:
        # Not dataclasses.asdict: it deep-copies the payload first.
        return json.dumps(
            {
                "id": record.id,
                "name": record.name,
                "accepted_at": record.accepted_at,
                "request_id": record.request_id,
                "payload": record.payload,
            }
        )

    def accept(
        self, job_id: str, name: str, request_id: str | None, payload: dict[str, Any]
    ) -> JobRecord:
        (record,) = self.accept_many([(job_id, name, request_id, payload)])
        return record

    def accept_many(
        self, jobs: list[tuple[str, str, str | None, dict[str, Any]]]
    ) -> list[JobRecord]:
        """Record jobs as accepted and in flight, all in one round trip."""
        records = self.new(jobs)
        with self._redis.pipeline() as pipe:
            self.queue_accept(pipe, records, time.time())
            pipe.execute()
        return records

    def queue_accept(self, pipe: Any, records: list[JobRecord], now: float) -> None:
        """Add the commands that record `records` to `pipe`, a pipeline of this
        service's Redis, blocking or asyncio (the API's batch writers)."""
        for record in records:
            pipe.set(self.key(record.id), self.encode(record), ex=self._ttl)
        pipe.zadd(self._inflight, dict.fromkeys((r.id for r in records), now))

    def queue_discard(self, pipe: Any, job_ids: list[str]) -> None:
        """Add the commands that drop the records of `job_ids` to `pipe` (as above)."""
        pipe.delete(*(self.key(job_id) for job_id in job_ids))
        pipe.zrem(self._inflight, *job_ids)

    def accept_if_new(self, job_id: str, name: str, request_id: str | None, payload: Any) -> None:
        """Record a job sent with Celery's own API (`celery_sends.py`); a job recorded
        already (a retry, or one sent again under its id) stays as it is."""
        (record,) = self.new([(job_id, name, request_id, payload)])
        if self._redis.set(self.key(job_id), self.encode(record), ex=self._ttl, nx=True):
            self._redis.zadd(self._inflight, {job_id: time.time()}, nx=True)

    def discard(self, job_ids: list[str]) -> None:
        """Drop the records of jobs that never reached the broker, best effort: with the
        broker down this usually fails too. A leftover record turns an id nobody was
        given from 404 into PENDING, and the lost-job sweep may publish it later: a job
        whose request was answered 503 can then run once (Redis brokers on one server
        never leave one: records and messages are written together)."""
        with contextlib.suppress(RedisError, OSError), self._redis.pipeline() as pipe:
            self.queue_discard(pipe, job_ids)
            pipe.execute()

    async def discard_through(self, client: Any, job_ids: list[str]) -> None:
        """`discard` through an asyncio client of the same Redis (the API's batch
        writers), best effort as well."""
        with contextlib.suppress(RedisError, OSError):
            async with client.pipeline(transaction=False) as pipe:
                self.queue_discard(pipe, job_ids)
                await pipe.execute()

    def get(self, job_id: str) -> JobRecord | None:
        raw = self._redis.get(self.key(job_id))
        if raw is None:
            return None
        return JobRecord(**json.loads(str(raw)))

    def alive(self, job_id: str) -> None:
        """A sign of life (started, retried): only for jobs still in flight."""
        self._redis.zadd(self._inflight, {job_id: time.time()}, xx=True)

    def ended(self, *job_ids: str) -> None:
        self._redis.zrem(self._inflight, *job_ids)

    def silent_since(self, seconds: float, limit: int = 100) -> list[str]:
        """Unfinished jobs with no sign of life for `seconds`, oldest first."""
        ids = self._redis.zrangebyscore(
            self._inflight, "-inf", time.time() - seconds, start=0, num=limit
        )
        return [str(job_id) for job_id in ids]
