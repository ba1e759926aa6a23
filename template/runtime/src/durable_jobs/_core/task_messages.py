"""Celery task messages as kombu's Redis transport stores them, built without a producer.

The API's Redis path (`redis_batch_writer.py`) writes messages itself, in the same Redis
script as the jobs' records: Celery builds the task message (protocol 2, its own
`create_task_message`), and this module wraps it the way kombu's Redis transport
would before its LPUSH. A worker cannot tell the difference: a test compares the two
field by field, so a kombu or Celery upgrade that changes the format fails it, and the
runtime refuses to start on an untested kombu minor (`overrides.py`). No upstream issue:
kombu has no API to publish a message inside a caller's own Redis script.
"""

import base64
import json
from typing import Any
from uuid import uuid4

from celery import Celery

from .sending import OutgoingJob, task_message


def redis_task_message(
    celery: Celery, job: OutgoingJob, *, queue: str, headers: dict[str, Any]
) -> str:
    """What `send_task` would LPUSH onto `queue` (priority 0, the default exchange)."""
    task = task_message(celery, job, headers)
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
