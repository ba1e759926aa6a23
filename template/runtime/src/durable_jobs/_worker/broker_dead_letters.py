"""Messages RabbitMQ gave up on become the service's dead letters.

A quorum queue dead-letters a message it handed out QUORUM_DELIVERY_LIMIT times
without an ack (its workers kept dying on it), and any queue one rejected without
requeue (`_core/amqp_queues.py`). Each worker consumes the dead-letter queue
in its main process: the job is kept as a dead letter (listed and requeueable like
one whose retries ran out), marked FAILURE and taken out of the in-flight index, and
only then acknowledged. A message that cannot be stored (Redis down) goes back to
the queue a little later.
"""

import time
from typing import Any

import structlog
from celery import Celery, bootsteps
from kombu import Consumer, Message
from redis.exceptions import RedisError

from .._core.amqp_queues import dead_letter_queue
from .._core.dead_letters import DeadLetter, DeadLetters
from .._core.sending import REQUEST_ID_HEADER, payload_of
from . import metrics, resources

# RabbitMQ's reason in the x-death header when the delivery limit was reached.
DELIVERY_LIMIT_REASON = "delivery_limit"
RETRY_STORING_AFTER = 5.0
log = structlog.get_logger(__name__)


class BrokerDeadLetterError(Exception):
    """What a dead-lettered job failed with: `/jobs/{id}` and the dead letter say why."""


def letter_from(body: Any, headers: dict[str, Any]) -> DeadLetter:
    # Celery's message body: [args, kwargs, embed].
    args, kwargs = body[:2] if isinstance(body, list | tuple) else ((), {})
    death = (headers.get("x-death") or [{}])[0]
    reason = str(death.get("reason", "rejected"))
    deliveries = headers.get("x-delivery-count")
    if reason == DELIVERY_LIMIT_REASON:
        exception = "DeliveryLimitExceeded"
        message = (
            f"RabbitMQ gave up after {deliveries} deliveries without an acknowledgement "
            "(each worker that took it was lost before it finished)"
        )
    else:
        exception = "RejectedByBroker"
        message = f"RabbitMQ dead-lettered the message from {death.get('queue')!s} ({reason})"
    return DeadLetter(
        job_id=str(headers.get("id")),
        task=str(headers.get("task")),
        payload=payload_of(args, kwargs),
        exception=exception,
        message=message,
        traceback="",
        request_id=headers.get(REQUEST_ID_HEADER),
        retries=int(headers.get("retries") or 0),
        failed_at=time.time(),
    )


class BrokerDeadLetters(bootsteps.ConsumerStep):
    """Consumes the dead-letter queue on the worker's connection (quorum queues only)."""

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._app: Any = None
        self._timer: Any = None

    def get_consumers(self, channel: Any) -> list[Consumer]:
        settings = resources.settings()
        if settings.rabbitmq_queue_type != "quorum":
            return []
        return [
            Consumer(
                channel,
                queues=[dead_letter_queue(settings)],
                callbacks=[self.on_message],
                accept=["json"],
                # Per consumer: quorum queues refuse global QoS.
                prefetch_count=10,
            )
        ]

    def start(self, parent: Any) -> None:
        self._app, self._timer = parent.app, parent.timer
        super().start(parent)

    def on_message(self, body: Any, message: Message) -> None:
        letter = letter_from(body, dict(message.headers or {}))
        try:
            store(self._app, letter)
        except (RedisError, OSError) as exc:
            log.error("dead letter not stored, retrying", job_id=letter.job_id, error=str(exc))
            self._timer.call_after(RETRY_STORING_AFTER, message.requeue)
            return
        message.ack()


def store(app: Celery, letter: DeadLetter) -> None:
    DeadLetters.for_settings(resources.settings()).add(letter)
    app.backend.mark_as_failure(
        letter.job_id, BrokerDeadLetterError(f"{letter.exception}: {letter.message}")
    )
    resources.job_records().ended(letter.job_id)
    metrics.FAILED.labels(letter.task, letter.exception).inc()
    log.error(
        "job dead-lettered by the broker",
        job_id=letter.job_id,
        task=letter.task,
        reason=letter.exception,
    )
