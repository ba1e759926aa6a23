"""The Celery configuration both sides share: how to reach the broker and the results.

The API uses this app only to publish and to read job states; the worker adds its
execution settings on top (see `_worker/reliability.py`).
"""

import math
from typing import Any

from celery import Celery

from .broker_options import (
    broker_transport_options,
    control_exchange,
    declared_queues,
    job_queues,
    queue_name,
    use_hardened_broker_transport,
)
from .celery_sends import record_celery_sends
from .declaration import Job
from .extras import check_extras
from .queues import DEFAULT
from .records import JobRecords
from .redis_client import is_sentinel, sentinel_options
from .revocations import use_job_control
from .settings import RuntimeSettings
from .third_party_check import check_third_party


def make_celery(
    settings: RuntimeSettings, jobs: tuple[Job[Any], ...], main: str = __name__.partition(".")[0]
) -> Celery:
    """The app both sides share; `jobs` (all of the service's) decide routes and the
    visibility timeout."""
    check_third_party()
    check_extras(settings)
    use_hardened_broker_transport()
    control = control_exchange(settings)
    backend = "NoWaitSentinelBackend" if is_sentinel(settings.redis_url) else "NoWaitRedisBackend"
    app = Celery(main)
    app.conf.update(
        broker_url=settings.effective_broker_url,
        # Redis, through a backend class that skips the per-job pub/sub subscription
        # (`result_backend.py`): Celery's `<class>+<url>` form.
        result_backend=f"{__package__}.result_backend.{backend}+{settings.redis_url}",
        broker_transport_options=broker_transport_options(settings, jobs),
        result_backend_transport_options={
            "global_keyprefix": settings.key_prefix,
            **sentinel_options(settings.redis_url, settings),
        },
        redis_socket_timeout=settings.broker_socket_timeout,
        redis_socket_connect_timeout=settings.broker_socket_timeout,
        redis_backend_health_check_interval=math.ceil(settings.broker_health_check_interval),
        # Connect timeout for publishing; the API answers 503 instead of hanging.
        broker_connection_timeout=settings.broker_socket_timeout,
        # JSON only: a pickle payload from anyone who can reach the broker is code
        # execution on the worker.
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_queues=declared_queues(settings),
        task_default_queue=queue_name(settings, DEFAULT),
        task_routes={name: {"queue": queue} for name, queue in job_queues(settings, jobs).items()},
        # Results cost Redis memory: a job keeps one only when its spec says so
        # (JobSpec.keeps_result, set on its task), and kept results expire with the job
        # record. Tasks the runtime does not own (a plain @app.task, a chord's callback)
        # keep Celery's default: their results are stored.
        result_expires=settings.job_record_ttl,
        # Kept results carry name and queue too, for people reading Redis or Flower.
        result_extended=True,
        enable_utc=True,
        # Control and task events on exchanges of this service's own (see there).
        control_exchange=control,
        event_exchange=f"{control}.events",
    )
    use_job_control(app, settings)
    record_celery_sends(app, JobRecords.for_settings(settings), frozenset(j.name for j in jobs))
    return app
