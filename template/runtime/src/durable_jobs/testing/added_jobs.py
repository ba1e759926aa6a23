"""Jobs of a test's own on a service's worker: a module of them, started with the
worker's `--include <module>`, adds them to the worker's app with `add_jobs`."""

from __future__ import annotations

from typing import Any

from celery import Celery

from .._core.declaration import Job
from .._worker.job_task import register


def add_jobs(app: Celery, *jobs: Job[Any]) -> None:
    """Register `jobs` on `app` as the worker registers the service's own."""
    for declared in jobs:
        register(app, declared)
