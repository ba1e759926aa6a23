"""The runtime's settings reach its own jobs' tasks, not the rest of the Celery app."""

import pytest
from celery import Celery
from pydantic import Field

from durable_jobs import JobSpec, JobTask, Payload, RuntimeSettings, job
from durable_jobs._core.celery_app import make_celery
from durable_jobs._worker.install import install


class Nothing(Payload):
    label: str = Field("", max_length=10)


KEPT = JobSpec("fixture.kept", Nothing, 5, 10, max_retries=1, retry_backoff_max=5)
DROPPED = JobSpec(
    "fixture.dropped", Nothing, 5, 10, max_retries=1, retry_backoff_max=5, keeps_result=False
)


@job(KEPT)
def kept(task: JobTask, payload: Nothing) -> str:
    return payload.label


@job(DROPPED)
def dropped(task: JobTask, payload: Nothing) -> str:
    return payload.label


@pytest.fixture(scope="module")
def app() -> Celery:
    settings = RuntimeSettings(_env_file=None)
    jobs = (kept, dropped)
    app = make_celery(settings, jobs)
    install(app, settings, jobs)
    return app


def test_a_plain_task_and_a_chord_callback_keep_their_results(app: Celery) -> None:
    @app.task(name="fixture.plain")
    def plain() -> int:
        return 1

    assert not app.conf.task_ignore_result
    assert not plain.ignore_result
    assert not app.tasks["celery.accumulate"].ignore_result


def test_each_job_keeps_its_result_as_its_spec_says(app: Celery) -> None:
    assert not app.tasks[KEPT.name].ignore_result
    assert app.tasks[DROPPED.name].ignore_result
