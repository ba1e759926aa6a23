"""Celery's consumer prints a message it refuses whole; the worker's logging keeps the
task's name and the error, never the body or headers (the task's arguments). Fed with
Celery's own format strings, so a reworded line in a new Celery release fails here."""

import logging

import pytest
from celery.worker.consumer import consumer

from durable_jobs._core.logs import HideMessageBodies

SECRET = "someone.private@example.com"
BODY = f"[[{{'email': '{SECRET}'}}], {{}}, {{}}]"
HEADERS = {"task": "billing.refund", "argsrepr": f"({{'email': '{SECRET}'}},)"}
# Celery's format strings (its type stubs do not declare them).
CELERY: dict[str, str] = {k: v for k, v in vars(consumer).items() if isinstance(v, str)}


def logged(fmt: str, *args: object) -> str:
    record = logging.LogRecord(consumer.__name__, logging.ERROR, __file__, 1, fmt, args, None)
    HideMessageBodies().filter(record)
    return record.getMessage()


@pytest.mark.parametrize(
    ("fmt", "args", "kept"),
    [
        (
            CELERY["UNKNOWN_TASK_ERROR"],
            (KeyError("billing.refund"), BODY, HEADERS, {"routing_key": "default"}),
            "unregistered task of type 'billing.refund'",
        ),
        (
            CELERY["INVALID_TASK_ERROR"],
            (ValueError("Task keyword arguments must be a mapping"), BODY),
            "Task keyword arguments must be a mapping",
        ),
        (
            CELERY["MESSAGE_DECODE_ERROR"],
            (ValueError("bad json"), "application/json", "utf-8", HEADERS, BODY),
            "bad json",
        ),
        (CELERY["UNKNOWN_FORMAT"], (f"body: {BODY} headers={HEADERS}",), "unknown message"),
    ],
    ids=["unregistered", "invalid", "undecodable", "unknown"],
)
def test_a_refused_message_is_named_without_its_arguments(
    fmt: str, args: tuple[object, ...], kept: str
) -> None:
    assert SECRET in fmt % args  # what Celery alone would log
    message = logged(fmt, *args)
    assert kept in message
    assert SECRET not in message
    assert "are not logged" in message


def test_other_consumer_lines_pass_unchanged() -> None:
    assert logged("Connected to %s", "redis://127.0.0.1:6379/0") == (
        "Connected to redis://127.0.0.1:6379/0"
    )
