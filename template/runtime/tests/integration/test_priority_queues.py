"""An urgent job is not stuck behind a backlog of slow ones."""

import time

from conftest import start_worker
from fixture_service.jobs.charge import CHARGE, Charge
from fixture_service.jobs.report import REPORT, Report
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, with_priority_queues

from durable_jobs import JobClient
from durable_jobs._core.status import JobStatusReader
from durable_jobs.testing.process_supervisor import ProcessSupervisor

pytestmark = with_priority_queues

BACKLOG = 200


def test_high_job_overtakes_a_backlog_of_low_jobs(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis
) -> None:
    jobs = JobClient(settings, SERVICE_JOBS)
    reader = JobStatusReader(jobs.celery, jobs.records)
    slow = Report(rows=10, seconds_per_step=0.01)
    backlog = [jobs.publish(REPORT, slow).id for _ in range(BACKLOG)]
    urgent = jobs.publish(
        CHARGE,
        Charge(idempotency_key="urgent-0001", customer_id="c", amount_cents=1, currency="EUR"),
    ).id
    start_worker(supervisor, settings, "worker_low", process="worker_low")
    start_worker(supervisor, settings, "worker", process="worker")

    deadline = time.monotonic() + 60
    while (status := reader.read(urgent)) is None or status.state != "SUCCESS":
        assert time.monotonic() < deadline, "the urgent job did not finish"
        time.sleep(0.05)
    done = sum(1 for job_id in backlog if (s := reader.read(job_id)) and s.state == "SUCCESS")
    print(f"urgent job finished while {done} of {BACKLOG} backlogged low jobs were done")
    assert done < BACKLOG // 2
    jobs.close()
