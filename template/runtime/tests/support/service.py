"""The fixture service's declared jobs, as the API and the worker discover them, the
configuration this run tests (broker, database, priority queues: the environment's, as
for any service), what waits in its queues, and a charge to send."""

import os
import time
import uuid

import pytest
from celery import Celery
from fixture_service import jobs
from fixture_service.jobs.charge import Charge
from fixture_service.settings import Settings
from pydantic import SecretStr

from durable_jobs import discover_jobs
from durable_jobs._core.broker_options import queue_name
from durable_jobs._core.dead_letters import DeadLetter, DeadLetters
from durable_jobs._core.queues import service_queues
from durable_jobs._worker.lost_jobs import waiting_in

SERVICE_JOBS = discover_jobs(jobs)

# A database when DATABASE_URL or TEST_DATABASE_SERVER is set (a project's `make
# test-runtime` sets the latter): the server the run's own database is created on.
DATABASE_SERVER = os.environ.get("TEST_DATABASE_SERVER") or os.environ.get("DATABASE_URL")
# What this run's environment configures (BROKER_URL, the database, PRIORITY_QUEUES).
CONFIGURED = Settings(_env_file=None)
if DATABASE_SERVER:
    CONFIGURED = CONFIGURED.model_copy(update={"database_url": SecretStr(DATABASE_SERVER)})
ON_RABBITMQ = CONFIGURED.broker_url.startswith("amqp")
WITH_DATABASE = CONFIGURED.has_database
WITH_PRIORITY_QUEUES = CONFIGURED.priority_queues

on_redis = pytest.mark.skipif(ON_RABBITMQ, reason="Redis as the broker (BROKER_URL unset)")
on_rabbitmq = pytest.mark.skipif(not ON_RABBITMQ, reason="RabbitMQ as the broker (BROKER_URL)")
with_database = pytest.mark.skipif(not WITH_DATABASE, reason="a database (DATABASE_URL)")
without_database = pytest.mark.skipif(WITH_DATABASE, reason="no database (DATABASE_URL unset)")
with_priority_queues = pytest.mark.skipif(
    not WITH_PRIORITY_QUEUES, reason="priority queues (PRIORITY_QUEUES=true)"
)


def waiting(app: Celery, settings: Settings) -> int:
    """Messages waiting in all of the service's queues, on either broker."""
    return sum(waiting_in(app, queue_name(settings, queue)) for queue in service_queues(settings))


def a_charge(label: str) -> Charge:
    """A valid one-cent charge with an idempotency key of its own."""
    key = f"{label}-{uuid.uuid4().hex}"
    return Charge(idempotency_key=key, customer_id="c", amount_cents=1, currency="EUR")


def wait_for_dead_letter(settings: Settings, job_id: str, timeout: float = 30) -> DeadLetter:
    """The job's dead letter: written by the worker right after the job's FAILURE state
    (the failure's signal), so a test that saw the state may have to wait a moment."""
    letters = DeadLetters.for_settings(settings)
    deadline = time.monotonic() + timeout
    while (letter := letters.get(job_id)) is None:
        assert time.monotonic() < deadline, f"job {job_id} has no dead letter after {timeout} s"
        time.sleep(0.1)
    return letter
