"""`create_worker_app`: the worker's Celery app, with the service's jobs and the
runtime's lifecycle wired in one place.

Every signal receiver and bootstep of the runtime is connected here, once per signal
(each receiver calls what needs that moment), instead of by importing modules for
their side effects.
"""

from collections.abc import Callable
from types import ModuleType
from typing import Any

from celery import Celery
from celery.signals import (
    celeryd_after_setup,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_revoked,
    task_success,
    worker_init,
    worker_process_shutdown,
)
from celery.utils.dispatch import Signal

from .._core.broker_options import is_redis
from .._core.celery_app import make_celery
from .._core.declaration import Job, discover_jobs
from .._core.settings import RuntimeSettings
from . import lost_jobs, metrics, queue_selection, resources, task_lifecycle
from .broker_dead_letters import BrokerDeadLetters
from .ended_jobs import EndedJobs
from .heartbeat import Heartbeat
from .job_task import register
from .known_revocations import KnownRevocations, remember_revoked_jobs
from .only_jobs import OnlyJobs
from .reliability import reliability_settings


def create_worker_app(settings: RuntimeSettings, jobs_package: ModuleType) -> Celery:
    """The app `python -m <package>.worker` runs: every job of `jobs_package` registered."""
    jobs = discover_jobs(jobs_package)
    # Named after the service's package, as a Celery app of its own would be.
    app = make_celery(settings, jobs, main=jobs_package.__name__.partition(".")[0])
    install(app, settings, jobs)
    return app


def install(app: Celery, settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> None:
    resources.configure(settings, jobs)
    app.conf.update(
        reliability_settings(),
        worker_soft_shutdown_timeout=settings.worker_soft_shutdown_timeout,
    )
    for job in jobs:
        register(app, job)
    app.steps["worker"].update(
        {
            lost_jobs.LostJobSweeper,
            EndedJobs,
            Heartbeat,
            KnownRevocations,
            metrics.MetricsServer,
            OnlyJobs,
        }
    )
    if not is_redis(settings.effective_broker_url):
        # RabbitMQ dead-letters what it gave up on (quorum queues' delivery limit).
        app.steps["consumer"].add(BrokerDeadLetters)
    receivers: dict[Signal, Callable[..., Any]] = {
        setup_logging: task_lifecycle.use_our_log_format,
        celeryd_after_setup: queue_selection.consume_selected_queues,
        worker_init: _worker_starting,
        worker_process_shutdown: metrics.forget_pool_process,
        task_prerun: _task_started,
        task_success: task_lifecycle.succeeded,
        task_retry: _task_retrying,
        task_failure: _task_failed,
        task_revoked: lost_jobs.note_revoked,
        task_postrun: task_lifecycle.finished,
    }
    for signal, receiver in receivers.items():
        # Strong references, one connection per receiver however often this runs.
        signal.connect(receiver, weak=False, dispatch_uid=f"runtime:{receiver.__name__}")


def _worker_starting(**kwargs: Any) -> None:
    metrics.prepare_multiprocess_dir(**kwargs)
    remember_revoked_jobs(**kwargs)


def _task_started(**kwargs: Any) -> None:
    task_lifecycle.started(**kwargs)
    lost_jobs.note_started(**kwargs)


def _task_retrying(**kwargs: Any) -> None:
    task_lifecycle.retrying(**kwargs)
    lost_jobs.note_retrying(**kwargs)


def _task_failed(**kwargs: Any) -> None:
    task_lifecycle.failed(**kwargs)
    lost_jobs.note_failed(**kwargs)
