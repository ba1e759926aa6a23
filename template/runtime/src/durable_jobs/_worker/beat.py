"""Celery Beat with exactly one scheduler sending jobs.

celery-redbeat's scheduler keeps the schedule in Redis, and a Redis lock lets only one
Beat send jobs. A second Beat is a standby: it waits on the lock and takes over within
LOCK_TIMEOUT seconds of the leader's death (the leader renews the lock every
LOOP_INTERVAL seconds). A standby waits inside celery-redbeat's lock and does not
touch HEARTBEAT_FILE until it leads: run one Beat where a liveness probe watches it.
"""

from typing import Any

from celery import Celery
from redbeat import RedBeatScheduler  # type: ignore[import-untyped]

from .._core.redis_client import is_sentinel, sentinel_address
from .._core.settings import RuntimeSettings
from . import resources
from .heartbeat import touch

LOCK_TIMEOUT = 30
LOOP_INTERVAL = 5


class HeartbeatScheduler(RedBeatScheduler):  # type: ignore[misc]
    """celery-redbeat's scheduler, touching HEARTBEAT_FILE on every loop (at most
    LOOP_INTERVAL seconds apart), so a liveness probe sees a Beat that stopped."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        heartbeat_file = resources.settings().heartbeat_file
        if heartbeat_file is not None:
            touch(heartbeat_file)
        interval: float = super().tick(*args, **kwargs)
        return interval


def configure_beat(app: Celery, settings: RuntimeSettings, schedule: dict[str, Any]) -> None:
    """Make `app` (a worker app) the one `celery --app ... beat` runs `schedule` from."""
    app.conf.update(
        beat_schedule=schedule,
        beat_scheduler=f"{__name__}:HeartbeatScheduler",
        **redbeat_redis(settings),
        redbeat_key_prefix=f"{settings.key_prefix}redbeat:",
        redbeat_lock_timeout=LOCK_TIMEOUT,
        beat_max_loop_interval=LOOP_INTERVAL,
    )


def redbeat_redis(settings: RuntimeSettings) -> dict[str, Any]:
    """Where celery-redbeat keeps the schedule and its lock: REDIS_URL, or the master
    the Sentinels name (celery-redbeat's own `redis-sentinel://` form)."""
    if not is_sentinel(settings.redis_url):
        return {"redbeat_redis_url": settings.redis_url}
    address = sentinel_address(settings.redis_url)
    return {
        "redbeat_redis_url": "redis-sentinel://",
        "redbeat_redis_options": {
            "sentinels": list(address.sentinels),
            "service_name": settings.redis_master_name,
            "password": address.password,
            "db": address.db,
            "socket_timeout": settings.broker_socket_timeout,
            "sentinel_kwargs": {"socket_timeout": settings.broker_socket_timeout},
        },
    }
