"""The Celery configuration both sides share: how to reach the broker and the results.

The API uses this app only to publish and to read job states; the worker adds its
execution settings on top (see `worker/reliability.py`).
"""

import logging
import math
from typing import Any
from urllib.parse import urlsplit

from celery import Celery

from ..settings import Settings
from .catalog import ALL_JOBS, DEFAULT_QUEUE, longest_countdown, longest_hard_limit

# A message is handed to another worker once it stays unacknowledged this long, so it
# must outlast the longest run plus the longest retry countdown (the Redis transport
# keeps a message unacked while its ETA is pending), or running jobs are duplicated.
VISIBILITY_MARGIN_SECONDS = 60
log = logging.getLogger(__name__)


def visibility_timeout() -> int:
    return longest_hard_limit() + longest_countdown() + VISIBILITY_MARGIN_SECONDS


def effective_visibility_timeout(settings: Settings) -> int:
    return settings.visibility_timeout or visibility_timeout()


def broker_transport_options(settings: Settings) -> dict[str, Any]:
    if settings.visibility_timeout and settings.visibility_timeout < visibility_timeout():
        log.warning(
            "VISIBILITY_TIMEOUT=%s is below the %s s the job limits need: a job still "
            "running after it will be started again (idempotent jobs absorb that).",
            settings.visibility_timeout,
            visibility_timeout(),
        )
    return {
        "visibility_timeout": effective_visibility_timeout(settings),
        "global_keyprefix": settings.key_prefix,
        # Without socket timeouts a publish on a dead connection waits forever.
        "socket_timeout": settings.broker_socket_timeout,
        "socket_connect_timeout": settings.broker_socket_timeout,
        "health_check_interval": math.ceil(settings.broker_health_check_interval),
        # Sweep for messages left unacked by dead workers on a cadence we choose
        # (kombu's default scans only every 100 s).
        "unacked_restore_interval": math.ceil(settings.unacked_restore_interval),
        "unacked_restore_throttle": 1,
    }


def broker_transport(broker_url: str) -> str | None:
    """Our hardened Redis transport for Redis brokers (see `redis_transport.py`)."""
    if urlsplit(broker_url).scheme in {"redis", "rediss"}:
        return f"{__package__}.redis_transport:Transport"
    return None


def make_celery(settings: Settings, main: str = __name__.partition(".")[0]) -> Celery:
    app = Celery(main)
    app.conf.update(
        broker_url=settings.effective_broker_url,
        broker_transport=broker_transport(settings.effective_broker_url),
        result_backend=settings.redis_url,
        broker_transport_options=broker_transport_options(settings),
        result_backend_transport_options={"global_keyprefix": settings.key_prefix},
        redis_socket_timeout=settings.broker_socket_timeout,
        redis_socket_connect_timeout=settings.broker_socket_timeout,
        redis_backend_health_check_interval=math.ceil(settings.broker_health_check_interval),
        # Connect timeout for publishing; the API answers 503 instead of hanging.
        broker_connection_timeout=settings.broker_socket_timeout,
        # One API process publishes from several threads; each needs a connection.
        broker_pool_limit=settings.enqueue_threads,
        # JSON only: a pickle payload from anyone who can reach the broker is code
        # execution on the worker.
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_default_queue=DEFAULT_QUEUE,
        task_routes={spec.name: {"queue": spec.queue} for spec in ALL_JOBS},
        # Results cost Redis memory; only jobs whose outcome the API serves keep one
        # (JobSpec.keeps_result), and kept results expire with the job record.
        task_ignore_result=True,
        result_expires=settings.job_record_ttl,
        # Kept results carry name and queue too, for people reading Redis or Flower.
        result_extended=True,
        enable_utc=True,
    )
    return app
