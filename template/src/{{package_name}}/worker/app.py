"""The worker's Celery app: `celery -A <package>.worker.app worker`."""

from celery import Celery

from ..jobs.celery_app import make_celery
from ..settings import get_settings
from . import queue_selection  # noqa: F401  (connects its signal)
from .lost_jobs import LostJobSweeper
from .reliability import reliability_settings

TASK_MODULES = [
    f"{__package__}.tasks.welcome_email",
    f"{__package__}.tasks.charge",
    f"{__package__}.tasks.report",
    f"{__package__}.tasks.cleanup",
]


def create_worker_app() -> Celery:
    app = make_celery(get_settings())
    app.conf.update(reliability_settings(), include=TASK_MODULES)
    app.steps["worker"].add(LostJobSweeper)
    return app


app = create_worker_app()
