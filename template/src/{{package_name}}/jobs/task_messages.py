"""Celery task messages as kombu's Redis transport stores them, built without a producer.

The API's Redis path (`redis_batches.py`) writes messages itself, in the same Redis
script as the jobs' records: Celery builds the task message (protocol 2, its own
`create_task_message`), and this module wraps it the way kombu's Redis transport
would before its LPUSH. A worker cannot tell the difference: a test compares the two
field by field, so a kombu or Celery upgrade that changes the format fails it.
"""

import base64
import json
from typing import Any
from uuid import uuid4

from celery import Celery

from .publisher import OutgoingJob
from .sending import ARGSREPR


def redis_task_message(
    celery: Celery, job: OutgoingJob, *, queue: str, headers: dict[str, Any]
) -> str:
    """What `send_task` would LPUSH onto `queue` (priority 0, the default exchange)."""
    task = celery.amqp.create_task_message(
        job.id,
        job.name,
        [job.payload],
        {},
        reply_to=celery.thread_oid,
        ignore_result=None,
        argsrepr=ARGSREPR,
        kwargsrepr="{}",
    )
    task.headers.update(headers)
    body = json.dumps(task.body).encode()
    return json.dumps(
        {
            "body": base64.b64encode(body).decode("ascii"),
            "content-encoding": "utf-8",
            "content-type": "application/json",
            "headers": task.headers,
            "properties": {
                **task.properties,
                "delivery_mode": 2,
                "delivery_info": {"exchange": "", "routing_key": queue},
                "priority": 0,
                "body_encoding": "base64",
                "delivery_tag": str(uuid4()),
            },
        }
    )
