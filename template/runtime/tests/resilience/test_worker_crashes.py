"""Workers die; jobs do not. Each scenario: start, kill, assert the job still ended right,
and by the mechanism it names (each fails when that setting is turned off)."""

import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest
from chaos_tasks import KILL_OWN_WORKER, SLOW_CHARGE, Nothing, SlowCharge
from conftest import start_chaos_worker
from fixture_service.settings import Settings
from redis import Redis
from watch import (
    Jobs,
    ledger_count,
    marks,
    republished,
    retries_marked,
    wait_for_marks,
)

from durable_jobs.testing.process_supervisor import ProcessSupervisor


@pytest.fixture
def jobs(fast_recovery_settings: Settings, redis: Redis) -> Iterator[Jobs]:
    watcher = Jobs(fast_recovery_settings)
    yield watcher
    watcher.close()


def test_job_whose_prefork_child_is_sigkilled_runs_again_as_a_counted_retry(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    # The worker's main process sees its child die and publishes the job again as a
    # retry (task_retry_on_worker_lost), so a job that kills every child it runs on
    # still ends (test_job_that_kills_its_worker_every_time_ends_in_failure); without
    # it the message would be requeued as new (task_reject_on_worker_lost), without
    # both the job would fail.
    settings = fast_recovery_settings
    worker = start_chaos_worker(supervisor, settings)
    key = f"k-{uuid.uuid4().hex}"
    job_id = jobs.publish(SLOW_CHARGE, SlowCharge(key=key, seconds=2))
    [child] = wait_for_marks(redis, settings, "started", job_id)
    assert child in worker.children()

    os.kill(child, signal.SIGKILL)

    assert jobs.wait_until_final(job_id, timeout=30).state == "SUCCESS"
    # On a loaded machine the pool can take longer than this test's 5 s visibility
    # timeout to notice the dead child, and the restored message runs a third time:
    # the idempotency guard still lets only one charge through.
    first, again, *_ = retries_marked(redis, settings, "started", job_id)
    assert (first, again) == (0, 1), "the second run was not a counted retry"
    assert ledger_count(redis, settings, key) == 1
    assert worker.alive()


def test_job_survives_sigkill_of_the_whole_worker(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    settings = fast_recovery_settings
    worker = start_chaos_worker(supervisor, settings)
    key = f"k-{uuid.uuid4().hex}"
    job_id = jobs.publish(SLOW_CHARGE, SlowCharge(key=key, seconds=2))
    wait_for_marks(redis, settings, "started", job_id)

    worker.kill()
    killed_at = time.monotonic()
    replacement = start_chaos_worker(supervisor, settings, name="replacement")

    bound = (settings.visibility_timeout or 0) + 2 * settings.unacked_restore_interval + 10
    assert jobs.wait_until_final(job_id, timeout=bound).state == "SUCCESS"
    recovered_in = time.monotonic() - killed_at
    print(f"whole worker SIGKILL: job completed {recovered_in:.1f} s after the kill")
    assert ledger_count(redis, settings, key) == 1
    # Late acknowledgement is what saved it: the broker still held the message and
    # handed it to the replacement. Acknowledged early, the message would be gone and
    # only the lost-job sweep, a safety net with its own test below, could bring it back.
    assert len(marks(redis, settings, "started", job_id)) >= 2
    assert republished(worker, replacement) == []


def test_job_that_kills_its_worker_every_time_ends_in_failure(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    settings = fast_recovery_settings
    worker = start_chaos_worker(supervisor, settings)
    job_id = jobs.publish(KILL_OWN_WORKER, Nothing())

    status = jobs.wait_until_final(job_id, timeout=60)

    assert status.state == "FAILURE"
    assert len(marks(redis, settings, "started", job_id)) == KILL_OWN_WORKER.spec.max_retries + 1
    assert worker.alive()


def test_warm_shutdown_lets_the_running_job_finish(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    settings = fast_recovery_settings
    worker = start_chaos_worker(supervisor, settings)
    key = f"k-{uuid.uuid4().hex}"
    job_id = jobs.publish(SLOW_CHARGE, SlowCharge(key=key, seconds=2))
    wait_for_marks(redis, settings, "started", job_id)

    assert worker.terminate(grace=30) == 0

    assert jobs.status(job_id).state == "SUCCESS"
    assert ledger_count(redis, settings, key) == 1


def test_job_whose_message_the_broker_lost_is_published_again(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    # Accepted and recorded, but the message never reached a queue: what a worker
    # SIGKILLed between kombu's BRPOP and its unacked bookkeeping leaves behind.
    settings = fast_recovery_settings
    key = f"k-{uuid.uuid4().hex}"
    job_id = str(uuid.uuid4())
    payload = SlowCharge(key=key, seconds=0).model_dump()
    jobs.client.records.accept(job_id, SLOW_CHARGE.name, None, payload)
    start_chaos_worker(supervisor, settings)

    silence = 2 * (settings.visibility_timeout or 0)
    status = jobs.wait_until_final(
        job_id, timeout=silence + 3 * settings.unacked_restore_interval + 10
    )

    assert status.state == "SUCCESS"
    assert ledger_count(redis, settings, key) == 1
