"""Putting one job on the broker, and what a publisher answers."""

import time
from dataclasses import dataclass
from typing import Any

from celery import Celery

REQUEST_ID_HEADER = "request_id"
# When the job was published (Unix time): the worker measures queue wait from it.
ENQUEUED_AT_HEADER = "enqueued_at"


class BrokerUnavailable(Exception):
    """The broker did not accept the job; nothing was enqueued."""


@dataclass(frozen=True)
class AcceptedJob:
    id: str
    name: str


def send_job(
    celery: Celery,
    name: str,
    job_id: str,
    payload: dict[str, Any],
    request_id: str | None,
    *,
    producer: Any = None,
) -> None:
    celery.send_task(
        name,
        args=[payload],
        task_id=job_id,
        headers={REQUEST_ID_HEADER: request_id, ENQUEUED_AT_HEADER: time.time()},
        producer=producer,
        # Celery would render the payload into every message for logs and Flower:
        # slower to publish (about 6% of the API's enqueue throughput), and it would
        # copy personal data (e-mail addresses) into log lines. Dead letters keep it.
        argsrepr="(payload)",
        kwargsrepr="{}",
        # Fail fast: the caller decides about retrying, not kombu.
        retry=False,
    )
