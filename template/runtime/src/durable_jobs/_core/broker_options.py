"""What differs between the brokers: transport options and queue declarations."""

import logging
import math
from typing import Any

from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES

from . import amqp_queues, amqp_transport, redis_queues, redis_transport
from .declaration import Job, longest_countdown, longest_hard_limit
from .queues import routed_queue, service_queues
from .redis_client import replica_wait_ms, sentinel_options, url_scheme
from .settings import RuntimeSettings

# A message is handed to another worker once it stays unacknowledged this long, so it
# must outlast the longest run plus the longest retry countdown (the Redis transport
# keeps a message unacked while its ETA is pending), or running jobs are duplicated.
VISIBILITY_MARGIN_SECONDS = 60
# Redis emulates message priorities with one list per step; four steps are enough to
# tell urgent from routine without multiplying the lists every worker polls.
REDIS_PRIORITY_STEPS = [0, 3, 6, 9]
log = logging.getLogger(__name__)


def is_redis(url: str) -> bool:
    """Redis, alone or through Sentinel (`sentinel://`)."""
    return url_scheme(url) in {"redis", "rediss", "sentinel"}


def visibility_timeout(jobs: tuple[Job[Any], ...]) -> int:
    return longest_hard_limit(jobs) + longest_countdown(jobs) + VISIBILITY_MARGIN_SECONDS


def effective_visibility_timeout(settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> int:
    return settings.visibility_timeout or visibility_timeout(jobs)


def use_hardened_broker_transport() -> None:
    """The broker URL resolves to our hardened transports (`redis_transport.py`,
    `amqp_transport.py`) through kombu's own table of URL schemes, so the URL every
    tool sees stays `redis://` or `amqp://`: Flower recognises a broker by its
    scheme, and answered "'redis' broker is not supported" to a
    `<module>:Transport://` URL. Only this process's kombu is affected; a plain client
    elsewhere uses kombu's transport, which publishes alike."""
    for module in (redis_transport, amqp_transport):
        for scheme, transport in module.SCHEMES.items():
            TRANSPORT_ALIASES[scheme] = f"{module.__name__}:{transport}"


def broker_transport_options(
    settings: RuntimeSettings, jobs: tuple[Job[Any], ...]
) -> dict[str, Any]:
    if not is_redis(settings.effective_broker_url):
        # Publisher confirms: `send_task` returns only once RabbitMQ has the message,
        # so a 202 means the job is on the broker.
        return {"confirm_publish": True}
    if settings.visibility_timeout and settings.visibility_timeout < visibility_timeout(jobs):
        log.warning(
            "VISIBILITY_TIMEOUT=%s is below the %s s the job limits need: a job still "
            "running after it will be started again (idempotent jobs absorb that).",
            settings.visibility_timeout,
            visibility_timeout(jobs),
        )
    return {
        **sentinel_options(settings.effective_broker_url, settings),
        "visibility_timeout": effective_visibility_timeout(settings, jobs),
        "global_keyprefix": settings.key_prefix,
        # Without socket timeouts a publish on a dead connection waits forever.
        "socket_timeout": settings.broker_socket_timeout,
        "socket_connect_timeout": settings.broker_socket_timeout,
        "health_check_interval": math.ceil(settings.broker_health_check_interval),
        # Sweep for messages left unacked by dead workers on a cadence we choose
        # (kombu's default scans only every 100 s).
        "unacked_restore_interval": math.ceil(settings.unacked_restore_interval),
        "unacked_restore_throttle": 1,
        # A worker given `-Q high,default` empties high before it looks at default.
        "queue_order_strategy": "priority",
        "priority_steps": REDIS_PRIORITY_STEPS,
        # Every publish waits until this many replicas hold it (redis_transport.py).
        "replica_acks": settings.effective_replica_acks,
        "replica_wait_ms": replica_wait_ms(settings.broker_socket_timeout),
    }


def control_exchange(settings: RuntimeSettings) -> str:
    """This service's exchange for remote control (`celery status/inspect/control`,
    Flower), named from its prefixes: services sharing a broker (Redis database or
    RabbitMQ vhost) with their own prefixes never reach each other's workers, and
    their workers may have the same node name (the pidbox queue is per exchange)."""
    return f"{settings.queue_prefix}{settings.key_prefix}".strip(":.") or "celery"


def queue_name(settings: RuntimeSettings, queue: str) -> str:
    return f"{settings.queue_prefix}{queue}"


def job_queues(settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> dict[str, str]:
    """Which queue each job goes to (a job not listed goes to the default queue)."""
    return {job.name: queue_name(settings, routed_queue(settings, job.spec.queue)) for job in jobs}


def declared_queues(settings: RuntimeSettings) -> list[Queue]:
    declarations = redis_queues if is_redis(settings.effective_broker_url) else amqp_queues
    return [
        declarations.declared_queue(settings, queue_name(settings, queue))
        for queue in service_queues(settings)
    ]
