"""Celery Beat: the periodic jobs, with exactly one active scheduler however many Beats
run (a second one is a standby: `durable_jobs.beat`). The schedule is every job module's
`BEAT_SCHEDULE` (see jobs/cleanup.py): a periodic job declares its own.
Beat runs them with

    celery --app fixture_service.worker.beat beat
"""

from durable_jobs.beat import configure_beat, discover_schedule

from .. import jobs
from ..settings import get_settings
from .app import app

configure_beat(app, get_settings(), discover_schedule(jobs))
