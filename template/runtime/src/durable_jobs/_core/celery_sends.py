"""Jobs sent with Celery's own API are jobs like the API's.

`app.send_task`, `task.delay`, Flower's apply and Beat publish through Celery's AMQP
helper, bypassing the service's `JobClient`. On the service's app that helper records
each of the service's jobs before publishing it, as `JobClient` does: `/jobs/{id}`
knows it while it waits, and the lost-job sweep covers it. A message that carries the
enqueued-at header was recorded by its sender (`JobClient`, the relay, a retry).
A plain Celery client elsewhere records nothing: the worker records its jobs when
they arrive (`_worker/job_request.py`).

The same helper makes a worker declare every queue of the service when it starts
consuming, not only those it consumes: Celery's native delayed delivery (RabbitMQ
quorum queues), which starts right after, binds every queue for retry countdowns
and fails on one not declared yet (the low queue, while only the high/default
worker has started).
"""

import time
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.app.amqp import AMQP

from .records import JobRecords
from .sending import ENQUEUED_AT_HEADER, REQUEST_ID_HEADER, payload_of


class ServiceAMQP(AMQP):
    def __init__(self, app: Celery, records: JobRecords, job_names: frozenset[str]) -> None:
        super().__init__(app)
        self._records = records
        self._job_names = job_names

    def _create_task_sender(self) -> Callable[..., Any]:
        # Private in Celery (absent from its stubs): `overrides.py` pins the minor.
        send: Callable[..., Any] = super()._create_task_sender()  # type: ignore[misc]

        def send_task_message(producer: Any, name: str, message: Any, **options: Any) -> Any:
            headers = message.headers
            if name in self._job_names and ENQUEUED_AT_HEADER not in headers:
                args, kwargs = message.body[:2]
                self._records.accept_if_new(
                    headers["id"], name, headers.get(REQUEST_ID_HEADER), payload_of(args, kwargs)
                )
                headers[ENQUEUED_AT_HEADER] = time.time()
            return send(producer, name, message, **options)

        return send_task_message

    def TaskConsumer(self, channel: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        for queue in self.queues.values():
            queue.bind(channel).declare()
        return super().TaskConsumer(channel, *args, **kwargs)


def record_celery_sends(app: Celery, records: JobRecords, job_names: frozenset[str]) -> None:
    # `app.amqp` is a cached property: set once here, every send goes through ours.
    app.amqp = ServiceAMQP(app, records, job_names)  # type: ignore[misc]
