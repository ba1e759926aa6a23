"""RabbitMQ quorum queues: a job whose deliveries keep being lost is dead-lettered by
the broker into the service's dead letters (never dropped), and retry countdowns
wait on the broker, not in a worker's memory."""

import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from conftest import ADMIN_TOKEN, start_api, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, a_charge, on_rabbitmq, wait_for_dead_letter

from durable_jobs import JobClient
from durable_jobs._core.amqp_queues import QUORUM_DELIVERY_LIMIT
from durable_jobs._core.broker_options import queue_name
from durable_jobs._core.queues import routed_queue
from durable_jobs._core.status import JobStatusReader
from durable_jobs.testing.process_supervisor import ManagedProcess, ProcessSupervisor

pytestmark = on_rabbitmq

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
COUNTDOWN = 4


@pytest.fixture
def client(settings: Settings, redis: Redis) -> Iterator[JobClient]:
    jobs = JobClient(settings, SERVICE_JOBS)
    yield jobs
    jobs.close()


def state_of(client: JobClient, job_id: str) -> str | None:
    status = JobStatusReader(client.celery, client.records).read(job_id)
    return None if status is None else status.state


def wait_for_state(
    worker: ManagedProcess, client: JobClient, job_id: str, state: str, timeout: float = 20
) -> None:
    def reached(_: Any) -> bool:
        return state_of(client, job_id) == state

    worker.wait_until(reached, timeout, f"job {job_id} in state {state}")


def a_charge_payload(client: JobClient, job_id: str) -> Any:
    record = client.records.get(job_id)
    assert record is not None
    return record.payload


def hand_back_until_dead_lettered(client: JobClient, settings: Settings) -> int:
    """Take the charge's message and hand it back unacknowledged, as a worker lost
    mid-job does, until RabbitMQ stops giving it out; how often it was given out."""
    name = queue_name(settings, routed_queue(settings, CHARGE.queue))
    queue = next(q for q in client.celery.conf.task_queues if q.name == name)
    deliveries = 0
    with client.celery.connection_for_write() as connection, connection.channel() as channel:
        bound = queue.bind(channel)
        while (message := bound.get(no_ack=False)) is not None:
            deliveries += 1
            message.reject(requeue=True)
            assert deliveries <= QUORUM_DELIVERY_LIMIT + 1, "the delivery limit was ignored"
    return deliveries


def test_a_job_handed_out_too_often_becomes_a_dead_letter_that_can_be_sent_again(
    supervisor: ProcessSupervisor, settings: Settings, client: JobClient, redis: Redis
) -> None:
    job_id = client.publish(CHARGE, a_charge("poison"), request_id="req-poison").id

    deliveries = hand_back_until_dead_lettered(client, settings)

    assert deliveries >= QUORUM_DELIVERY_LIMIT
    worker = start_worker(supervisor, settings)
    wait_for_state(worker, client, job_id, "FAILURE")
    letter = wait_for_dead_letter(settings, job_id)
    assert letter.exception == "DeliveryLimitExceeded"
    assert letter.task == CHARGE.name
    assert letter.request_id == "req-poison"
    assert letter.payload == a_charge_payload(client, job_id)
    assert redis.zscore(client.records.inflight_key, job_id) is None

    api = httpx.Client(base_url=start_api(supervisor, settings), timeout=5)
    listed = api.get("/admin/dead-letters", headers=ADMIN).raise_for_status().json()
    assert [item["exception"] for item in listed if item["job_id"] == job_id] == [
        "DeliveryLimitExceeded"
    ]
    requeued = api.post(f"/admin/dead-letters/{job_id}/requeue", headers=ADMIN)
    assert requeued.status_code == 202, requeued.text
    wait_for_state(worker, client, job_id, "SUCCESS")


def test_a_countdown_waits_on_the_broker_not_in_a_worker(
    supervisor: ProcessSupervisor, settings: Settings, client: JobClient
) -> None:
    worker = start_worker(supervisor, settings)
    sent_at = time.monotonic()
    job_id = client.celery.send_task(
        CHARGE.name, args=[a_charge("later").model_dump()], countdown=COUNTDOWN
    ).id

    time.sleep(1)
    # With a direct exchange the worker would take the message at once and hold it
    # until its ETA (Celery's "scheduled" tasks), one per countdown, in memory.
    scheduled = client.celery.control.inspect(timeout=2).scheduled() or {}
    assert scheduled, "no worker replied"
    assert all(not tasks for tasks in scheduled.values()), scheduled
    wait_for_state(worker, client, job_id, "SUCCESS", timeout=COUNTDOWN + 15)
    assert time.monotonic() - sent_at >= COUNTDOWN - 0.5
