"""A job sent with Celery's own API (the service's app, or a plain Celery client in
another process) is a job like the API's: recorded, known to `/jobs/{id}`, covered by
the lost-job sweep, its payload kept when it fails."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PROJECT_DIR, clean_up, make_settings, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from redis import Redis
from support.service import ON_RABBITMQ, SERVICE_JOBS, a_charge, wait_for_dead_letter

from durable_jobs import JobClient
from durable_jobs._core.queues import DEFAULT
from durable_jobs._core.status import JobStatus, JobStatusReader
from durable_jobs.testing.process_supervisor import ManagedProcess, ProcessSupervisor

PLAIN_CLIENT = PROJECT_DIR / "support" / "plain_celery_client.py"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Settings]:
    """One service for the module; its worker starts once, for the tests that need it."""
    settings = make_settings(tmp_path_factory.mktemp("celery-sent"))
    yield settings
    client = Redis.from_url(redis_url, decode_responses=True)
    clean_up(settings)
    client.close()


@pytest.fixture(scope="module")
def worker(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ManagedProcess]:
    supervisor = ProcessSupervisor(tmp_path_factory.mktemp("logs"))
    yield start_worker(supervisor, settings)
    supervisor.stop_all()


@pytest.fixture
def client(settings: Settings) -> Iterator[JobClient]:
    jobs = JobClient(settings, SERVICE_JOBS)
    yield jobs
    jobs.close()


def run_plain_client(
    settings: Settings, payload: object, *flags: str, queue: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Send a charge from another process, configured only as the README says."""
    queue = f"{settings.queue_prefix}{DEFAULT}" if queue is None else queue
    argv = [settings.effective_broker_url, settings.key_prefix, queue, CHARGE.name]
    return subprocess.run(
        [sys.executable, str(PLAIN_CLIENT), *argv, json.dumps(payload), *flags],
        cwd=Path.cwd(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def send_with_plain_client(settings: Settings, payload: object, *flags: str) -> str:
    sent = run_plain_client(settings, payload, *flags)
    assert sent.returncode == 0, sent.stderr
    return sent.stdout.strip()


def final_status(client: JobClient, job_id: str, worker: ManagedProcess) -> JobStatus:
    reader = JobStatusReader(client.celery, client.records)

    def ended(_: Any) -> bool:
        status = reader.read(job_id)
        return status is not None and status.state in {"SUCCESS", "FAILURE"}

    worker.wait_until(ended, 20, f"job {job_id} ended")
    status = reader.read(job_id)
    assert status is not None
    return status


def test_job_sent_with_the_service_app_is_recorded_before_it_runs(
    client: JobClient, redis_url: str
) -> None:
    payload = a_charge("celery-sent").model_dump()
    # No worker runs yet (this module's starts with the next test): the job is known
    # before any worker takes it.
    job_id = client.celery.send_task(CHARGE.name, args=[payload]).id

    status = JobStatusReader(client.celery, client.records).read(job_id)
    assert status is not None
    assert status.state == "PENDING"
    record = client.records.get(job_id)
    assert record is not None
    assert record.payload == payload
    redis = Redis.from_url(redis_url, decode_responses=True)
    assert redis.zscore(client.records.inflight_key, job_id) is not None
    redis.close()


def test_job_sent_by_a_plain_celery_client_runs_and_is_known(
    worker: ManagedProcess, settings: Settings, client: JobClient, redis_url: str
) -> None:
    payload = a_charge("celery-sent").model_dump()

    job_id = send_with_plain_client(settings, payload)

    assert final_status(client, job_id, worker).state == "SUCCESS"
    record = client.records.get(job_id)
    assert record is not None
    assert record.payload == payload
    redis = Redis.from_url(redis_url, decode_responses=True)
    worker.wait_until(
        lambda _: redis.zscore(client.records.inflight_key, job_id) is None,
        5,
        "the job out of the in-flight index",
    )
    redis.close()


def test_failed_job_sent_by_name_keeps_its_payload_in_its_dead_letter(
    worker: ManagedProcess, settings: Settings, client: JobClient
) -> None:
    # A negative amount: refused by the payload model.
    payload = {**a_charge("celery-sent").model_dump(), "amount_cents": -5}

    job_id = send_with_plain_client(settings, payload, "--by-name")

    status = final_status(client, job_id, worker)
    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "InvalidPayload"
    assert status.error.message == (
        "billing.charge: the payload is not a valid Charge: amount_cents: "
        "Input should be greater than 0 [greater_than]"
    )
    letter = wait_for_dead_letter(settings, job_id)
    assert letter.payload == payload


def test_an_unregistered_tasks_message_is_refused_without_its_arguments_in_the_log(
    worker: ManagedProcess, client: JobClient
) -> None:
    """Celery prints an unregistered task's whole message (body and headers, which
    carry its arguments) into the log; the worker names the task and leaves them out."""
    personal = "someone.private@example.com"
    sent = client.celery.send_task(
        "billing.refund", args=[{"email": personal}], kwargs={"note": personal}
    )

    refused = "Received unregistered task of type 'billing.refund'"
    worker.wait_until(lambda w: refused in w.output(), 20, "refusing the unregistered task")
    [line] = [line for line in worker.output().splitlines() if refused in line]
    assert "(the task's arguments) are not logged" in line
    assert personal not in worker.output()
    # Celery's verdict: FAILURE, NotRegistered. On RabbitMQ the message Celery rejected
    # is dead-lettered too, and the worker that takes it from the dead letters stores
    # that verdict over the first. No job record (it is no job of the service):
    # `/jobs/{id}` answers 404.
    verdicts = {"NotRegistered", "BrokerDeadLetterError"} if ON_RABBITMQ else {"NotRegistered"}
    worker.wait_until(lambda _: sent.state == "FAILURE", 20, "storing the refusal")
    assert type(sent.result).__name__ in verdicts
    assert client.records.get(sent.id) is None


def test_a_plain_client_sending_to_a_queue_nobody_declared_fails_loudly(
    worker: ManagedProcess, settings: Settings
) -> None:
    """The README's client with a QUEUE_PREFIX the service does not have: an error, not
    a job left in a queue no worker reads. (A prefix of this run's own: a shared broker
    may hold another service's `default`.)"""
    queue = f"not-{settings.queue_prefix}{DEFAULT}"

    sent = run_plain_client(settings, a_charge("celery-sent").model_dump(), queue=queue)

    assert sent.returncode != 0
    assert sent.stdout == ""
    if ON_RABBITMQ:
        assert f"NOT_FOUND - no exchange '{queue}'" in sent.stderr
    else:
        assert f"No queues bound to exchange '{queue}'" in sent.stderr
