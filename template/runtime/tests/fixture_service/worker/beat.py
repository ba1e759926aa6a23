"""Celery Beat: the periodic jobs, with exactly one active scheduler however many Beats
run (a second one is a standby: `durable_jobs.beat`). Add an entry per periodic job.
Beat runs them with

    celery --app fixture_service.worker.beat beat
"""

from typing import Any

from celery.schedules import crontab

from durable_jobs.beat import configure_beat

from ..jobs.cleanup import CleanupOutputs, cleanup_outputs
from ..settings import get_settings
from .app import app

SCHEDULE: dict[str, dict[str, Any]] = {
    "nightly-cleanup-of-old-outputs": {
        "task": cleanup_outputs.name,
        "schedule": crontab(hour=3, minute=0),
        "args": [CleanupOutputs().model_dump()],
        # A tick still waiting after an hour (workers down, long backlog) is dropped:
        # the next night's run does the same work, and ticks must not pile up.
        "options": {"expires": 3600},
    },
}

configure_beat(app, get_settings(), SCHEDULE)
