"""Another service's Celery client, configured as the README's "Sending jobs from
elsewhere" says, and nothing else: run as its own process (`python -m` this file), it
imports nothing of the service, so kombu's own transports publish.

Usage: plain_celery_client.py BROKER_URL KEY_PREFIX QUEUE TASK PAYLOAD_JSON [--by-name]
Prints the id of the job it sent.
"""

import json
import sys
import warnings
from typing import Any

from celery import Celery
from kombu import Exchange, Queue
from kombu.transport.virtual.base import UndeliverableWarning


def client(broker_url: str, key_prefix: str, queue: str) -> tuple[Celery, dict[str, Any]]:
    """The client and how it routes to `queue`: a queue the service did not declare
    is an error, on either broker."""
    app = Celery("another-service", broker=broker_url)
    app.conf.task_serializer = "json"
    if broker_url.startswith(("redis://", "rediss://")):
        app.conf.broker_transport_options = {
            # The service's KEY_PREFIX: its queues live under it.
            "global_keyprefix": key_prefix,
            # A message no queue is bound to is undeliverable: an error (below).
            "deadletter_queue": "undeliverable",
        }
        warnings.simplefilter("error", UndeliverableWarning)
        # Through the exchange the service bound its queue to, declaring nothing.
        app.conf.task_queues = [
            Queue(queue, Exchange(queue, type="direct"), routing_key=queue, no_declare=True)
        ]
        return app, {"queue": queue, "exchange": queue, "routing_key": queue}
    # Publisher confirms and `mandatory`: an exchange or queue the service did not
    # declare is an error (NOT_FOUND, NO_ROUTE).
    app.conf.broker_transport_options = {"confirm_publish": True}
    # The service declares its queues (quorum, with a dead-letter exchange): publish to
    # its topic exchange without declaring anything. Celery reads `x-queue-type` to
    # send countdowns through RabbitMQ's delayed delivery.
    app.conf.task_queues = [
        Queue(
            queue,
            Exchange(queue, type="topic"),
            routing_key=queue,
            queue_arguments={"x-queue-type": "quorum"},
            no_declare=True,
        )
    ]
    return app, {"queue": queue, "mandatory": True}


def main() -> None:
    broker_url, key_prefix, queue, task, payload = sys.argv[1:6]
    app, route = client(broker_url, key_prefix, queue)
    if "--by-name" in sys.argv[6:]:
        sent = app.send_task(task, kwargs={"payload": json.loads(payload)}, **route)
    else:
        sent = app.send_task(task, args=[json.loads(payload)], **route)
    print(sent.id)


if __name__ == "__main__":
    main()
