"""The API's enqueue path on a Redis broker (BROKER_URL unset), against a
real Redis: the messages it writes itself are the ones kombu would write, and
records and messages arrive together, or the records are dropped again."""

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fixture_service.jobs.report import REPORT, Report
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, on_redis

from durable_jobs import JobClient
from durable_jobs._core.broker_options import job_queues
from durable_jobs._core.sending import BrokerUnavailable, OutgoingJob, job_headers, send_job
from durable_jobs._core.task_messages import redis_task_message
from durable_jobs.testing.process_supervisor import free_port

pytestmark = on_redis

# Another database on the same server stands in for a broker apart from the records.
BROKER_DB = 15


def queue_key(settings: Settings, name: str) -> str:
    return settings.key_prefix + job_queues(settings, SERVICE_JOBS)[name]


def decoded(raw: str | bytes) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(raw)
    message["body"] = json.loads(base64.b64decode(message["body"]))
    return message


def enqueue_reports(settings: Settings, count: int) -> list[str]:
    async def scenario() -> list[str]:
        client = JobClient(settings, SERVICE_JOBS)
        try:
            jobs = [client.enqueue(REPORT, Report(rows=1), request_id="r-1") for _ in range(count)]
            return [job.id for job in await asyncio.gather(*jobs)]
        finally:
            await client.aclose()

    return asyncio.run(scenario())


def test_the_message_is_the_one_kombu_would_write(redis: Redis, settings: Settings) -> None:
    client = JobClient(settings, SERVICE_JOBS)
    job = OutgoingJob("00000000-0000-4000-8000-000000000001", REPORT.name, {"rows": 1}, "r-1")
    headers = job_headers(job.request_id, 1700000000.0)
    send_job(client.celery, job.name, job.id, job.payload, job.request_id)
    client.close()
    (by_kombu,) = redis.lrange(queue_key(settings, REPORT.name), 0, -1)
    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]
    ours = decoded(redis_task_message(client.celery, job, queue=queue, headers=headers))
    theirs = decoded(by_kombu)

    for message in (ours, theirs):
        message["headers"].pop("enqueued_at")
        message["properties"].pop("delivery_tag")
    # send_task passes argsrepr and kwargsrepr on as message properties too; the
    # headers carry them, and that is where Celery reads them.
    theirs["properties"].pop("argsrepr")
    theirs["properties"].pop("kwargsrepr")
    assert ours == theirs


def test_enqueued_jobs_arrive_with_their_records(redis: Redis, settings: Settings) -> None:
    ids = enqueue_reports(settings, 5)

    queued = [decoded(raw) for raw in redis.lrange(queue_key(settings, REPORT.name), 0, -1)]
    assert sorted(message["headers"]["id"] for message in queued) == sorted(ids)
    assert {message["headers"]["request_id"] for message in queued} == {"r-1"}
    for job_id in ids:
        record = json.loads(redis.get(f"{settings.key_prefix}job:{job_id}") or "null")
        assert record["payload"] == Report(rows=1).model_dump(mode="json")
        assert 0 < redis.ttl(f"{settings.key_prefix}job:{job_id}") <= settings.job_record_ttl
    inflight = redis.zrange(f"{settings.key_prefix}jobs:inflight", 0, -1)
    assert sorted(inflight) == sorted(ids)


@pytest.fixture
def broker_apart(redis_url: str, settings: Settings) -> Iterator[Settings]:
    base = redis_url.rsplit("/", 1)[0]
    apart = settings.model_copy(update={"broker_url": f"{base}/{BROKER_DB}"})
    yield apart
    broker = Redis.from_url(apart.broker_url)
    keys = list(broker.scan_iter(f"{settings.key_prefix}*"))
    if keys:
        broker.delete(*keys)


def test_records_and_messages_on_two_servers(redis: Redis, broker_apart: Settings) -> None:
    settings = broker_apart
    (job_id,) = enqueue_reports(settings, 1)

    broker = Redis.from_url(settings.effective_broker_url, decode_responses=True)
    (message,) = broker.lrange(queue_key(settings, REPORT.name), 0, -1)
    assert decoded(message)["headers"]["id"] == job_id
    assert redis.exists(f"{settings.key_prefix}job:{job_id}")
    assert not redis.exists(queue_key(settings, REPORT.name))


def test_a_broker_refusal_drops_the_records_already_written(
    redis: Redis, settings: Settings
) -> None:
    down = settings.model_copy(update={"broker_url": f"redis://127.0.0.1:{free_port()}/0"})

    with pytest.raises(BrokerUnavailable):
        enqueue_reports(down, 2)

    assert not list(redis.scan_iter(f"{settings.key_prefix}job:*"))
    assert not redis.zcard(f"{settings.key_prefix}jobs:inflight")
