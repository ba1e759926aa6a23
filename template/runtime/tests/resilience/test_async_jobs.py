"""`async def` jobs get the same limits and retries as plain ones, on a real worker."""

from collections.abc import Iterator

import pytest
from chaos_tasks import ASYNC_FLAKY, ASYNC_OVERRUN_SOFT_LIMIT, Nothing
from conftest import start_chaos_worker
from fixture_service.settings import Settings
from redis import Redis
from watch import Jobs, marks

from durable_jobs.testing.process_supervisor import ProcessSupervisor

# Nothing here depends on the broker: the template runs it on one configuration.
pytestmark = pytest.mark.broker_agnostic


@pytest.fixture
def jobs(settings: Settings, redis: Redis) -> Iterator[Jobs]:
    watcher = Jobs(settings)
    yield watcher
    watcher.close()


def test_soft_time_limit_cancels_an_async_job_which_cleans_up_then_fails(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    start_chaos_worker(supervisor, settings)
    job_id = jobs.publish(ASYNC_OVERRUN_SOFT_LIMIT, Nothing())

    status = jobs.wait_until_final(job_id, timeout=20)

    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "SoftTimeLimitExceeded"
    assert len(marks(redis, settings, "cleaned_up", job_id)) == 1


def test_an_async_job_is_retried_until_it_succeeds(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis, jobs: Jobs
) -> None:
    start_chaos_worker(supervisor, settings)
    job_id = jobs.publish(ASYNC_FLAKY, Nothing())

    status = jobs.wait_until_final(job_id, timeout=30)

    assert status.state == "SUCCESS"
    assert status.result == {"attempts": 3}
    assert status.retries == 2
    assert len(marks(redis, settings, "attempt", job_id)) == 3
