"""Operator actions that stick: a job revoked or purged is never run afterwards, and
`/jobs/{id}` reports it as REVOKED.

Celery keeps revoked ids in the memory of the workers running at the time: a revoke
sent while none runs reaches nobody, and a worker started later (`--without-mingle`,
or all of them restarted) knows none. A purge deletes messages and forgets them, and
this service's lost-job sweep would have published them again from their records.
So the service's app revokes through `JobControl`, which also stores each revoked id
(in a sorted set, for as long as job records live) and the job's REVOKED state; a
worker loads the stored ids at start and every 30 s. The broker transports report what a purge took
(`revoke_purged`). `celery revoke`, Flower's revoke, `AsyncResult.revoke()` and
`celery purge` all reach these through the service's app (`--app`).
"""

import time
from collections.abc import Iterable, Mapping
from typing import Any, cast

from celery import Celery, current_app
from celery.app.control import Control
from redis import Redis

from .redis_client import redis_client
from .result_backend import NoWaitRedisBackend
from .settings import RuntimeSettings

PURGED = "purged"


class RevokedJobs:
    """The ids revoked within the last `ttl_seconds` (as long as a job record lives)."""

    def __init__(self, redis: Redis, prefix: str, ttl_seconds: int) -> None:
        self._redis = redis
        self._key = f"{prefix}jobs:revoked"
        self._ttl = ttl_seconds

    @classmethod
    def for_settings(cls, settings: RuntimeSettings) -> "RevokedJobs":
        return cls(redis_client(settings), settings.key_prefix, settings.job_record_ttl)

    def add(self, job_ids: Iterable[str]) -> None:
        now = time.time()
        members = dict.fromkeys(job_ids, now)
        if not members:
            return
        with self._redis.pipeline() as pipe:
            pipe.zadd(self._key, members)
            pipe.zremrangebyscore(self._key, "-inf", now - self._ttl)
            pipe.execute()

    def recent(self) -> list[str]:
        ids = self._redis.zrangebyscore(self._key, time.time() - self._ttl, "+inf")
        return [str(job_id) for job_id in ids]


class JobControl(Control):
    """Celery's remote control, whose revokes are also stored (see the module's doc)."""

    def __init__(self, app: Celery, revoked: RevokedJobs) -> None:
        super().__init__(app)
        self.revoked = revoked

    def broadcast(
        self, command: str, arguments: Mapping[str, Any] | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        # Every revoke passes here: `celery control revoke` broadcasts directly.
        if command == "revoke":
            task_id = (arguments or {}).get("task_id") or []
            self.store_revoked([task_id] if isinstance(task_id, str) else list(task_id))
        return super().broadcast(command, arguments, *args, **kwargs)

    def store_revoked(self, job_ids: list[str], reason: str = "revoked") -> None:
        """Before the broadcast: a worker starting meanwhile loads them."""
        self.revoked.add(job_ids)
        # `make_celery`'s backend, the only one this control is installed with.
        backend = cast(NoWaitRedisBackend, self.app.backend)
        with backend.batched_writes():  # one round trip, however many
            for job_id in job_ids:
                # What Celery's worker stores when it drops a revoked job; a job running
                # when revoked without `terminate` goes on and stores its own end.
                backend.mark_as_revoked(job_id, reason=reason)


def use_job_control(app: Celery, settings: RuntimeSettings) -> None:
    # `app.control` is a cached property: set once here, every caller gets ours.
    app.control = JobControl(app, RevokedJobs.for_settings(settings))  # type: ignore[misc]


def revoke_purged(job_ids: list[str]) -> None:
    """Called by the transports' purge with the ids it took off the broker. Celery's
    purge (`celery purge`, `app.control.purge()`) runs on the current app: with the
    service's app that is a JobControl; any other app keeps Celery's behaviour."""
    control = current_app.control
    if job_ids and isinstance(control, JobControl):
        control.store_revoked(job_ids, reason=PURGED)
