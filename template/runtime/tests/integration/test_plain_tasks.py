"""The worker runs jobs only: a plain Celery task among its tasks stops it at start,
with a message that names the task and points to `@job`; Celery's own tasks (a
chord's callback, `celery.accumulate`) are no reason to refuse."""

import pytest
from conftest import start_worker
from fixture_service.settings import Settings
from fixture_service.worker.app import app

from durable_jobs._worker.only_jobs import plain_tasks
from durable_jobs.testing.process_supervisor import ProcessNotReady, ProcessSupervisor


def test_a_worker_with_a_plain_task_refuses_to_start_naming_it(
    supervisor: ProcessSupervisor, settings: Settings
) -> None:
    with pytest.raises(ProcessNotReady) as refused:
        start_worker(supervisor, settings, "worker", "--include support.plain_tasks")

    output = str(refused.value)
    assert "exited before it was" in output
    assert "found plain Celery tasks: legacy.send_sms (support.plain_tasks)" in output
    assert "@job(JobSpec(...))" in output
    [worker] = supervisor.processes
    assert worker.popen is not None
    assert worker.popen.wait(10) == 1


def test_the_services_own_worker_has_jobs_and_celerys_tasks_only() -> None:
    assert plain_tasks(dict(app.tasks)) == []
    assert "celery.accumulate" in app.tasks
    assert "billing.charge" in app.tasks
