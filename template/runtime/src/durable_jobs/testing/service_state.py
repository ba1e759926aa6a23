"""Removing what a test run left on shared servers: the keys under its KEY_PREFIX and
the queues of its QUEUE_PREFIX (with RabbitMQ, its dead-letter queue too)."""

from __future__ import annotations

import contextlib
from typing import Any

from kombu import Queue
from kombu.exceptions import ChannelError

from .._core.amqp_queues import dead_letter_queue
from .._core.broker_options import is_redis
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
    if not is_redis(settings.effective_broker_url):
        queues.append(dead_letter_queue(settings))
    with app.connection_for_write() as connection:
        for queue in queues:
            with connection.channel() as channel, contextlib.suppress(ChannelError):
                Queue(queue.name).bind(channel).delete()
