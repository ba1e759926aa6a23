"""The API's enqueue path on RabbitMQ (BROKER_URL amqp://), against a real
RabbitMQ: the messages it publishes are the ones `send_task` publishes, each job is
confirmed before it counts as accepted, and a broker out of reach drops the records
again. BROKER_URL may list several nodes: a node that does not answer is skipped."""

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import aio_pika
import pytest
from fixture_service.jobs.report import REPORT, Report
from fixture_service.settings import Settings
from kombu import Connection, Queue
from redis import Redis
from support.service import SERVICE_JOBS, on_rabbitmq

from durable_jobs import JobClient
from durable_jobs._core.amqp_batch_writer import amqp_message, broker_urls
from durable_jobs._core.broker_options import job_queues
from durable_jobs._core.sending import BrokerUnavailable, OutgoingJob, job_headers, send_job
from durable_jobs.testing.process_supervisor import free_port

pytestmark = on_rabbitmq


@pytest.fixture
def client(settings: Settings, redis: Redis) -> Iterator[JobClient]:
    jobs = JobClient(settings, SERVICE_JOBS)
    yield jobs
    jobs.close()


def enqueue_reports(settings: Settings, count: int) -> list[str]:
    async def scenario() -> list[str]:
        client = JobClient(settings, SERVICE_JOBS)
        try:
            jobs = [client.enqueue(REPORT, Report(rows=1), request_id="r-1") for _ in range(count)]
            return [job.id for job in await asyncio.gather(*jobs)]
        finally:
            await client.aclose()

    return asyncio.run(scenario())


def take_all(settings: Settings, queue: str) -> list[Any]:
    """The messages waiting in `queue`, acknowledged (so taken off it)."""
    taken = []
    with Connection(settings.broker_url) as connection:
        bound = connection.SimpleQueue(queue, no_ack=True, queue_opts={"no_declare": True})
        while True:
            try:
                taken.append(bound.get(timeout=0.5))
            except bound.Empty:
                return taken


def as_compared(message: Any) -> dict[str, Any]:
    headers = dict(message.headers)
    headers.pop("enqueued_at")
    properties = {
        key: value
        for key, value in message.properties.items()
        # The broker's own bookkeeping, per delivery; the headers compared above.
        if key not in {"delivery_info", "application_headers"}
    }
    return {
        "headers": headers,
        "properties": properties,
        "body": json.loads(message.body),
        "content_type": message.content_type,
        "content_encoding": message.content_encoding,
        "exchange": message.delivery_info["exchange"],
        "routing_key": message.delivery_info["routing_key"],
    }


def test_the_message_is_the_one_send_task_publishes(client: JobClient, settings: Settings) -> None:
    job = OutgoingJob("00000000-0000-4000-8000-000000000001", REPORT.name, {"rows": 1}, "r-1")
    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]
    send_job(client.celery, job.name, job.id, job.payload, job.request_id)
    ours = amqp_message(client.celery, job, job_headers(job.request_id, 1700000000.0))

    async def publish_ours() -> None:
        connection = await aio_pika.connect(broker_urls(settings.broker_url)[0])
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            exchange = await channel.get_exchange(queue, ensure=False)
            await exchange.publish(ours, queue, mandatory=True)

    asyncio.run(publish_ours())
    theirs_raw, ours_raw = take_all(settings, queue)
    theirs, mine = as_compared(theirs_raw), as_compared(ours_raw)
    # send_task passes argsrepr and kwargsrepr on as message properties too; the
    # headers carry them, and that is where Celery reads them.
    theirs["properties"].pop("argsrepr", None)
    theirs["properties"].pop("kwargsrepr", None)
    # aio-pika needs a message id to match returns with confirms: the job's.
    assert mine["properties"].pop("message_id") == job.id
    assert mine == theirs


def test_enqueued_jobs_are_confirmed_with_their_records(redis: Redis, settings: Settings) -> None:
    ids = enqueue_reports(settings, 50)

    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]
    queued = take_all(settings, queue)
    assert sorted(message.headers["id"] for message in queued) == sorted(ids)
    assert {message.headers["request_id"] for message in queued} == {"r-1"}
    for job_id in ids[:3]:
        record = json.loads(redis.get(f"{settings.key_prefix}job:{job_id}") or "null")
        assert record["payload"] == Report(rows=1).model_dump(mode="json")
    inflight = redis.zrange(f"{settings.key_prefix}jobs:inflight", 0, -1)
    assert sorted(inflight) == sorted(ids)


def test_a_node_that_does_not_answer_is_skipped(redis: Redis, settings: Settings) -> None:
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    cluster = settings.model_copy(update={"broker_url": f"{dead};{settings.broker_url}"})

    (job_id,) = enqueue_reports(cluster, 1)

    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]
    assert [message.headers["id"] for message in take_all(settings, queue)] == [job_id]


def test_a_broker_out_of_reach_drops_the_records_already_written(
    redis: Redis, settings: Settings
) -> None:
    down = settings.model_copy(
        update={"broker_url": f"amqp://guest:guest@127.0.0.1:{free_port()}//"}
    )

    with pytest.raises(BrokerUnavailable):
        enqueue_reports(down, 2)

    assert not list(redis.scan_iter(f"{settings.key_prefix}job:*"))
    assert not redis.zcard(f"{settings.key_prefix}jobs:inflight")


def test_a_queue_deleted_under_the_api_is_refused_then_declared_again(
    redis: Redis, settings: Settings
) -> None:
    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]

    async def scenario() -> str:
        client = JobClient(settings, SERVICE_JOBS)
        try:
            await client.enqueue(REPORT, Report(rows=1))
            take_all(settings, queue)
            with Connection(settings.broker_url) as connection:
                Queue(queue).bind(connection.default_channel).delete()
            # Unroutable now: RabbitMQ returns the message (mandatory), nothing is lost.
            with pytest.raises(BrokerUnavailable, match="refused"):
                await client.enqueue(REPORT, Report(rows=1))
            return (await client.enqueue(REPORT, Report(rows=1))).id
        finally:
            await client.aclose()

    job_id = asyncio.run(scenario())

    assert [message.headers["id"] for message in take_all(settings, queue)] == [job_id]
