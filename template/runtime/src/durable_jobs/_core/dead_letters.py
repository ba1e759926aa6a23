"""Jobs that failed for good (retries exhausted, or an error that is never retried),
kept in Redis with what is needed to understand them and to send them again."""

import json
from dataclasses import asdict, dataclass
from typing import Any

from redis import Redis

from .redis_client import redis_client
from .settings import RuntimeSettings

# Enough to read the failure without storing whole stack dumps for thousands of jobs.
TRACEBACK_LINES = 20
# The oldest go first beyond this many, so a failure storm cannot fill Redis.
MAX_DEAD_LETTERS = 10_000


@dataclass(frozen=True)
class DeadLetter:
    job_id: str
    task: str
    payload: Any
    exception: str
    message: str
    traceback: str
    request_id: str | None
    retries: int
    failed_at: float


def traceback_tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-TRACEBACK_LINES:])


class DeadLetters:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self._redis = redis
        self._index = f"{prefix}dead-letters"
        self._prefix = f"{prefix}dead-letter:"

    @classmethod
    def for_settings(cls, settings: RuntimeSettings) -> "DeadLetters":
        return cls(redis_client(settings), settings.key_prefix)

    def add(self, letter: DeadLetter) -> None:
        with self._redis.pipeline() as pipe:
            pipe.set(self._prefix + letter.job_id, json.dumps(asdict(letter)))
            pipe.zadd(self._index, {letter.job_id: letter.failed_at})
            pipe.execute()
        self._trim()

    def newest(self, limit: int = 100) -> list[DeadLetter]:
        ids = self._redis.zrevrange(self._index, 0, limit - 1)
        if not ids:
            return []
        raw = self._redis.mget([self._prefix + str(job_id) for job_id in ids])
        return [DeadLetter(**json.loads(item)) for item in raw if item]

    def get(self, job_id: str) -> DeadLetter | None:
        raw = self._redis.get(self._prefix + job_id)
        return DeadLetter(**json.loads(str(raw))) if raw else None

    def remove(self, job_id: str) -> bool:
        with self._redis.pipeline() as pipe:
            pipe.delete(self._prefix + job_id)
            pipe.zrem(self._index, job_id)
            deleted, _ = pipe.execute()
        return bool(deleted)

    def count(self) -> int:
        return int(self._redis.zcard(self._index))

    def _trim(self) -> None:
        excess = self.count() - MAX_DEAD_LETTERS
        if excess > 0:
            for job_id in self._redis.zrange(self._index, 0, excess - 1):
                self.remove(str(job_id))
