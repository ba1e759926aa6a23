"""The worker's Celery app (`python -m <package>.worker` runs a worker on it)."""

from celery import Celery

from ..jobs.celery_app import make_celery
from ..settings import get_settings
from . import queue_selection, task_lifecycle  # noqa: F401  (connect their signals)
from .ended_jobs import EndedJobs
from .heartbeat import Heartbeat
from .lost_jobs import LostJobSweeper
from .metrics import MetricsServer
from .reliability import reliability_settings

TASK_MODULES = [
    f"{__package__}.tasks.welcome_email",
    f"{__package__}.tasks.charge",
    f"{__package__}.tasks.report",
    f"{__package__}.tasks.cleanup",
]


def create_worker_app() -> Celery:
    settings = get_settings()
    app = make_celery(settings)
    app.conf.update(
        reliability_settings(),
        include=TASK_MODULES,
        worker_soft_shutdown_timeout=settings.worker_soft_shutdown_timeout,
    )
    app.steps["worker"].update({LostJobSweeper, EndedJobs, Heartbeat, MetricsServer})
    return app


app = create_worker_app()
