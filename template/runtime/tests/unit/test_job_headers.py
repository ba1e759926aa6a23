"""A job's enqueued-at header keeps its precision on the wire of every publisher: the
API's RabbitMQ path (aio-pika, pamqp's encoding) and Celery's own (py-amqp)."""

import time

import pytest
from amqp.serialization import dumps, loads

from durable_jobs._core.sending import ENQUEUED_AT_HEADER, job_headers


def test_the_apis_rabbitmq_publisher_carries_the_time_to_the_microsecond() -> None:
    # pamqp comes with aio-pika, the runtime's rabbitmq extra.
    encode = pytest.importorskip("pamqp.encode", reason="the rabbitmq extra is not installed")
    decode = pytest.importorskip("pamqp.decode", reason="the rabbitmq extra is not installed")
    now = time.time()
    encoded = encode.field_table(job_headers("request-1", now))
    _, decoded = decode.field_table(encoded)
    assert float(str(decoded[ENQUEUED_AT_HEADER])) == pytest.approx(now, abs=1e-6)


def test_celerys_publisher_carries_the_same_header() -> None:
    now = time.time()
    headers = job_headers("request-1", now)
    decoded, _ = loads("F", dumps("F", (headers,)), 0)
    assert float(decoded[0][ENQUEUED_AT_HEADER]) == pytest.approx(now, abs=1e-6)
    assert decoded[0] == headers
