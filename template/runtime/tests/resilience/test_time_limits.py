"""Time limits end runaway jobs and the worker keeps serving."""

import uuid
from collections.abc import Iterator

import pytest
from chaos_tasks import OVERRUN_HARD_LIMIT, OVERRUN_SOFT_LIMIT, SLOW_CHARGE, Nothing, SlowCharge
from conftest import start_chaos_worker
from fixture_service.settings import Settings
from redis import Redis
from watch import Jobs, marks, wait_for_marks

from durable_jobs.testing.process_supervisor import ProcessSupervisor

# Nothing here depends on the broker: the template runs it on one configuration.
pytestmark = pytest.mark.broker_agnostic


@pytest.fixture
def jobs(settings: Settings, redis: Redis) -> Iterator[Jobs]:
    watcher = Jobs(settings)
    yield watcher
    watcher.close()


def test_soft_time_limit_lets_the_job_clean_up_then_fails_it(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    start_chaos_worker(supervisor, settings)
    job_id = jobs.publish(OVERRUN_SOFT_LIMIT, Nothing())

    status = jobs.wait_until_final(job_id, timeout=20)

    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "SoftTimeLimitExceeded"
    assert len(marks(redis, settings, "cleaned_up", job_id)) == 1


def test_a_sender_cannot_lift_a_jobs_time_limits(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    worker = start_chaos_worker(supervisor, settings)
    # Celery lets a sender set limits per message; the spec's are the most it may ask.
    sent = jobs.client.celery.send_task(
        OVERRUN_SOFT_LIMIT.name, args=[{}], soft_time_limit=60, time_limit=120
    )
    # Not one of the app's jobs (a chaos job): the worker records it when it arrives.
    worker.wait_until(lambda _: jobs.reader.read(sent.id) is not None, 10, "job recorded")

    status = jobs.wait_until_final(sent.id, timeout=20)

    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "SoftTimeLimitExceeded"


def test_hard_time_limit_replaces_the_child_and_the_worker_keeps_serving(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    worker = start_chaos_worker(supervisor, settings)
    job_id = jobs.publish(OVERRUN_HARD_LIMIT, Nothing())
    [child] = wait_for_marks(redis, settings, "started", job_id)

    status = jobs.wait_until_final(job_id, timeout=20)

    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "TimeLimitExceeded"
    assert marks(redis, settings, "ignored_soft_limit", job_id)
    worker.wait_until(lambda w: child not in w.children(), 10, "rid of the overrun child")
    next_job = jobs.publish(SLOW_CHARGE, SlowCharge(key=f"k-{uuid.uuid4().hex}", seconds=0))
    assert jobs.wait_until_final(next_job, timeout=20).state == "SUCCESS"
