"""Putting one job on the broker, and what a publisher answers."""

import time
from dataclasses import dataclass
from typing import Any

from celery import Celery

REQUEST_ID_HEADER = "request_id"
# When the job was published (Unix time): the worker measures queue wait from it.
ENQUEUED_AT_HEADER = "enqueued_at"
# Celery would render the payload into every message for logs and Flower: slower to
# publish (about 6% of the API's enqueue throughput), and it would copy personal data
# (e-mail addresses) into log lines. Dead letters keep it.
ARGSREPR = "(payload)"


class BrokerUnavailable(Exception):
    """The broker did not accept the job; nothing was enqueued."""


@dataclass(frozen=True)
class AcceptedJob:
    id: str
    name: str


def job_headers(request_id: str | None, enqueued_at: float | None = None) -> dict[str, Any]:
    return {
        REQUEST_ID_HEADER: request_id,
        ENQUEUED_AT_HEADER: time.time() if enqueued_at is None else enqueued_at,
    }


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
        headers=job_headers(request_id),
        producer=producer,
        argsrepr=ARGSREPR,
        kwargsrepr="{}",
        # Fail fast: the caller decides about retrying, not kombu.
        retry=False,
    )
