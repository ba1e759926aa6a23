"""Another service's Celery client, configured as the README's "Sending jobs from
elsewhere" says, and nothing else: run as its own process (`python -m` this file), it
imports nothing of the service, so kombu's own transports publish.

Usage: plain_celery_client.py BROKER_URL KEY_PREFIX QUEUE TASK PAYLOAD_JSON [--by-name]
Prints the id of the job it sent.
"""

import json
import sys

from celery import Celery
from kombu import Exchange, Queue


def client(broker_url: str, key_prefix: str, queue: str) -> Celery:
    app = Celery("another-service", broker=broker_url)
    app.conf.task_serializer = "json"
    if broker_url.startswith(("redis://", "rediss://")):
        # The service's KEY_PREFIX: its queues live under it.
        app.conf.broker_transport_options = {"global_keyprefix": key_prefix}
    else:
        # The service declares its queues (quorum, with a dead-letter exchange):
        # publish to its topic exchange without declaring anything. Celery reads
        # `x-queue-type` to send countdowns through RabbitMQ's delayed delivery.
        app.conf.task_queues = [
            Queue(
                queue,
                Exchange(queue, type="topic"),
                routing_key=queue,
                queue_arguments={"x-queue-type": "quorum"},
                no_declare=True,
            )
        ]
    return app


def main() -> None:
    broker_url, key_prefix, queue, task, payload = sys.argv[1:6]
    app = client(broker_url, key_prefix, queue)
    if "--by-name" in sys.argv[6:]:
        sent = app.send_task(task, kwargs={"payload": json.loads(payload)}, queue=queue)
    else:
        sent = app.send_task(task, args=[json.loads(payload)], queue=queue)
    print(sent.id)


if __name__ == "__main__":
    main()
