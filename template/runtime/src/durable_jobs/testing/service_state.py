"""Removing what a test run left on shared servers: the keys under its KEY_PREFIX and
the queues of its QUEUE_PREFIX (with RabbitMQ, its dead-letter queue and the exchanges
of all of them, its control and event exchanges too; on Redis those are keys)."""

from __future__ import annotations

import contextlib
from typing import Any

from kombu import Exchange, Queue
from kombu.exceptions import ChannelError

from .._core.amqp_queues import dead_letter_queue
from .._core.broker_options import control_exchange, is_redis
from .._core.celery_app import make_celery
from .._core.declaration import Job
from .._core.redis_client import redis_client
from .._core.settings import RuntimeSettings


def remove_service_state(settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> None:
    """Delete the run's keys and queues; what other services or runs own stays."""
    client = redis_client(settings)
    keys = list(client.scan_iter(f"{settings.key_prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    app = make_celery(settings, jobs)
    queues = list(app.conf.task_queues)
    exchanges: set[str] = set()
    if not is_redis(settings.effective_broker_url):
        queues.append(dead_letter_queue(settings))
        control = control_exchange(settings)
        exchanges = {queue.exchange.name for queue in queues if queue.exchange is not None}
        exchanges |= {f"{control}.pidbox", f"{control}.events"}
    with app.connection_for_write() as connection:
        for queue in queues:
            with connection.channel() as channel, contextlib.suppress(ChannelError):
                Queue(queue.name).bind(channel).delete()
        for name in sorted(exchanges - {""}):  # "" is the broker's default exchange
            with connection.channel() as channel, contextlib.suppress(ChannelError):
                Exchange(name).bind(channel).delete()
