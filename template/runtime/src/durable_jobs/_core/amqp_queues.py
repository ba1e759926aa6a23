"""How the broker's queues are declared: RabbitMQ quorum queues by default.

A quorum queue is replicated across the cluster's nodes (a majority must confirm
each message), so a node lost with its disk loses no job; on a single node it
behaves like a durable queue. What it changes for Celery, and how this service
answers:
- Redelivery is bounded: a message handed out QUORUM_DELIVERY_LIMIT times without an
  ack goes to the dead-letter exchange, whose queue a worker turns into the
  service's dead letters (`_worker/broker_dead_letters.py`), never dropped.
- Retry countdowns wait on the broker (Celery's native delayed delivery, which it
  switches on when it sees quorum queues), through topic exchanges.
- No global QoS: Celery sees the quorum queues and sets prefetch per consumer.
- Two priorities (RabbitMQ 4; 3.x ignores them): a message with priority above 4
  goes first. The priority-queues option keeps urgent jobs on their own queue.

RABBITMQ_QUEUE_TYPE=classic declares what services rendered before this did
(durable classic queues with ten priorities, on one node): for a service updated
with classic queues on its broker until they are migrated (docs/updating.md).
"""

from typing import Any

from kombu import Exchange, Queue

from .settings import RuntimeSettings

# Celery's retries publish new messages: only a delivery lost with its worker or
# connection counts. Ten in a row is a poison job that kills whole workers.
# (RabbitMQ 4's own default, 20, drops the message silently without a dead-letter
# exchange.)
QUORUM_DELIVERY_LIMIT = 10
RABBITMQ_MAX_PRIORITY = 9
DEAD_LETTER_QUEUE = "dead-letters"


class DeadLetteringQueue(Queue):
    """A queue that declares its dead-letter queue first, wherever it is declared (a
    worker, the API's first publish, `celery purge`): RabbitMQ drops what it
    dead-letters to an exchange that does not exist yet."""

    dead_letters: Queue | None = None

    def declare(self, nowait: bool = False, channel: Any = None) -> Any:
        if self.dead_letters is not None:
            self.dead_letters.bind(channel or self.channel).declare(nowait=nowait)
        return super().declare(nowait=nowait, channel=channel)


def declared_queue(settings: RuntimeSettings, name: str) -> Queue:
    if settings.rabbitmq_queue_type == "classic":
        return _classic_queue(name)
    dead_letters = dead_letter_queue(settings)
    queue = DeadLetteringQueue(
        name,
        # Topic, not direct: native delayed delivery binds queues through their
        # exchange and skips direct ones (their countdowns would wait in a worker).
        Exchange(name, type="topic"),
        routing_key=name,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": QUORUM_DELIVERY_LIMIT,
            "x-dead-letter-exchange": dead_letters.exchange.name,
            # The dead-letter queue confirms each message before the source drops
            # it (RabbitMQ requires reject-publish for that).
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        },
        durable=True,
    )
    queue.dead_letters = dead_letters
    return queue


def dead_letter_queue(settings: RuntimeSettings) -> Queue:
    """Where RabbitMQ puts a message it gave up on: delivered QUORUM_DELIVERY_LIMIT
    times, or rejected without requeue."""
    name = f"{settings.queue_prefix}{DEAD_LETTER_QUEUE}"
    return Queue(
        name,
        Exchange(name, type="fanout"),
        queue_arguments={"x-queue-type": "quorum"},
        durable=True,
    )


def _classic_queue(name: str) -> Queue:
    return Queue(
        name,
        Exchange(name, type="direct"),
        routing_key=name,
        queue_arguments={"x-max-priority": RABBITMQ_MAX_PRIORITY},
        durable=True,
    )
