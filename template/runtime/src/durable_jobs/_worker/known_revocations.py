"""The worker knows every job revoked within JOB_RECORD_TTL (`_core/revocations.py`).

Celery keeps revoked ids in the memory of the workers that heard the broadcast, and
forgets them after three hours. Here a worker loads the stored ids when it starts
(before it consumes), loads them again every REFRESH_INTERVAL seconds (a revoke
broadcast while it was cut off from the broker reaches it that way), and keeps them
as long as job records live.
"""

import logging
from typing import Any

from celery.worker import state
from redis.exceptions import RedisError

from .._core.revocations import RevokedJobs
from . import resources
from .repeating_step import RepeatingStep, Schedule

REFRESH_INTERVAL = 30.0
log = logging.getLogger(__name__)


def load_revoked_jobs() -> None:
    settings = resources.settings()
    state.revoked.expires = settings.job_record_ttl
    try:
        revoked = RevokedJobs.for_settings(settings).recent()
    except (RedisError, OSError) as exc:
        log.warning("revoked jobs not loaded (Redis unreachable): %s", exc)
        return
    state.revoked.update(revoked)


def remember_revoked_jobs(**_: Any) -> None:
    """At start (`worker_init`), before the worker takes any job."""
    load_revoked_jobs()
    if state.revoked:
        log.info("%d revoked jobs known", len(state.revoked))


class KnownRevocations(RepeatingStep):
    def schedule(self, parent: Any) -> Schedule:
        return REFRESH_INTERVAL, load_revoked_jobs, ()
