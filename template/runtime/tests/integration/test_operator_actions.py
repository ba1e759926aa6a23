"""Celery's operator tools on this service: what `celery purge` or `celery revoke`
takes away is never run afterwards, and `/jobs/{id}` says REVOKED."""

import time
from collections.abc import Iterator

import pytest
from celery.worker import state
from conftest import celery_cli, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, a_charge, waiting

from durable_jobs import JobClient
from durable_jobs._core.revocations import RevokedJobs
from durable_jobs._core.status import JobStatusReader
from durable_jobs._worker import resources
from durable_jobs._worker.known_revocations import load_revoked_jobs
from durable_jobs._worker.lost_jobs import republish_silent_jobs
from durable_jobs.testing.process_supervisor import ProcessSupervisor

NO_NODES_REPLIED = 69  # `celery control`'s exit status (EX_UNAVAILABLE)


@pytest.fixture
def client(settings: Settings, redis: Redis) -> Iterator[JobClient]:
    jobs = JobClient(settings, SERVICE_JOBS)
    yield jobs
    jobs.close()


def publish_charges(client: JobClient, count: int) -> list[str]:
    return [client.publish(CHARGE, a_charge("operator")).id for _ in range(count)]


def test_purged_jobs_are_revoked_and_never_published_again(
    settings: Settings, redis: Redis, client: JobClient
) -> None:
    job_ids = publish_charges(client, 3)

    assert "Purged 3 messages" in celery_cli(settings, "purge", "-f")

    reader = JobStatusReader(client.celery, client.records)
    statuses = [reader.read(job_id) for job_id in job_ids]
    assert [(s.state, s.error.message if s.error else None) for s in statuses if s] == [
        ("REVOKED", "purged")
    ] * 3
    # The lost-job sweep, as if the jobs had been silent for long: a purged job is
    # not lost, it goes nowhere.
    redis.zadd(client.records.inflight_key, dict.fromkeys(job_ids, 0))
    resources.configure(settings, SERVICE_JOBS)
    assert republish_silent_jobs(client.celery, settings) == []
    assert waiting(client.celery, settings) == 0
    assert redis.zcard(client.records.inflight_key) == 0


def test_job_revoked_while_no_worker_runs_is_never_run(
    supervisor: ProcessSupervisor, settings: Settings, client: JobClient
) -> None:
    [job_id] = publish_charges(client, 1)

    # No worker hears this broadcast; Celery alone would forget it.
    told = celery_cli(settings, "control", "revoke", job_id, exit_code=NO_NODES_REPLIED)
    assert "No nodes replied" in told
    # The Procfile's worker (`--without-mingle`: it asks no other worker either).
    worker = start_worker(supervisor, settings)

    worker.wait_until(
        lambda w: f"Discarding revoked task: {CHARGE.name}[{job_id}]" in w.output(),
        20,
        "the revoked job discarded",
    )
    time.sleep(0.5)  # what the worker would store, had it run the job
    status = JobStatusReader(client.celery, client.records).read(job_id)
    assert status is not None
    assert status.state == "REVOKED"
    assert f"[{job_id}] task started" not in worker.output()
    assert waiting(client.celery, settings) == 0


def test_a_running_worker_learns_revokes_it_missed_and_keeps_them_as_long_as_records(
    settings: Settings, redis: Redis
) -> None:
    # As if the broadcast had not reached this worker (cut off from the broker).
    RevokedJobs.for_settings(settings).add(["missed-revoke"])
    resources.configure(settings, SERVICE_JOBS)

    load_revoked_jobs()  # what each worker runs on its timer

    assert "missed-revoke" in state.revoked
    # Celery alone forgets a revoke after three hours.
    assert state.revoked.expires == settings.job_record_ttl
