"""With REDIS_REPLICA_ACKS on a Redis broker, a publish through Celery's producer (a
script's `JobClient.publish`, the outbox relay, `send_task`, retries, Beat) returns
only once that many replicas hold the message (`durable_jobs/_core/redis_transport.py`),
as the API's 202 does. On a private master whose replica reads it through a slow link:
without the wait, the replica has not seen the message when the publish returns."""

import contextlib
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fixture_service.jobs.report import REPORT, Report
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, on_redis

from durable_jobs import BrokerUnavailable, JobClient
from durable_jobs._core.broker_options import job_queues
from durable_jobs._core.records import JobRecords
from durable_jobs.testing.local_servers import private_redis_with_replicas

pytestmark = on_redis

LINK_DELAY = 0.25  # seconds each write takes to reach the replica (and its ack to return)


@pytest.fixture(scope="module")
def master_and_replica() -> Iterator[tuple[Redis, Redis]]:
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis = stack.enter_context(private_redis_with_replicas(folder, link_delay=LINK_DELAY))
        on_master = stack.enter_context(Redis.from_url(redis.master.url))
        yield on_master, stack.enter_context(Redis.from_url(redis.replicas[0].url))


def on_server(settings: Settings, server: Redis, **changes: object) -> Settings:
    url = "redis://127.0.0.1:{}/0".format(server.connection_pool.connection_kwargs["port"])
    return settings.model_copy(update={"redis_url": url, **changes})


def waiting(settings: Settings, on: Redis) -> int:
    queue = job_queues(settings, SERVICE_JOBS)[REPORT.name]
    return int(on.llen(settings.key_prefix + queue))


@pytest.mark.parametrize("acks", [1, 0])
def test_a_script_publish_returns_once_the_replica_holds_the_message(
    master_and_replica: tuple[Redis, Redis], settings: Settings, acks: int
) -> None:
    master, replica = master_and_replica
    # WAIT may take half the socket timeout: time for the link's round trip.
    settings = on_server(
        settings, master, redis_replica_acks=acks, broker_socket_timeout=2.0, enqueue_timeout=3.0
    )
    client = JobClient(settings, SERVICE_JOBS)
    try:
        started = time.perf_counter()
        client.publish(REPORT, Report(rows=1))
        took = time.perf_counter() - started
        on_replica = waiting(settings, replica)
        client.celery.send_task(REPORT.name, args=[{"rows": 1}])
        on_replica_after_send = waiting(settings, replica)
    finally:
        client.close()
    assert waiting(settings, master) == 2
    if acks:
        assert (on_replica, on_replica_after_send) == (1, 2)
        assert took >= LINK_DELAY
    else:  # the publish did not wait: the message was still on its way
        assert (on_replica, on_replica_after_send) == (0, 0)


def test_a_master_no_replica_answers_refuses_and_keeps_the_records(
    master_and_replica: tuple[Redis, Redis], settings: Settings
) -> None:
    master, _ = master_and_replica
    # Two replicas wanted, one there: WAIT gives up after its timeout.
    settings = on_server(settings, master, redis_replica_acks=2)
    client = JobClient(settings, SERVICE_JOBS)
    try:
        with pytest.raises(BrokerUnavailable, match="of 2 replicas acknowledged the message"):
            client.publish(REPORT, Report(rows=1))
    finally:
        client.close()
    # The message is on the master, so the job may still run: its record stays.
    assert waiting(settings, master) == 1
    records = JobRecords.for_settings(settings)
    assert master.zcard(records.inflight_key) == 1
