"""A worker starts knowing the jobs revoked before it did (`_core/revocations.py`):
Celery's own list lives in the memory of the workers that were running at the time."""

import logging
from typing import Any

from celery.worker import state
from redis.exceptions import RedisError

from .._core.revocations import RevokedJobs
from . import resources

log = logging.getLogger(__name__)


def remember_revoked_jobs(**_: Any) -> None:
    try:
        revoked = RevokedJobs.for_settings(resources.settings()).recent()
    except (RedisError, OSError) as exc:
        log.warning("revoked jobs not loaded (Redis unreachable): %s", exc)
        return
    state.revoked.update(revoked)
    if revoked:
        log.info("%d revoked jobs loaded", len(revoked))
