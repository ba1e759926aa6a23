"""durable_jobs: the machinery that makes a FastAPI + Celery service's jobs durable.

A service imports it from here (jobs, the client, settings, the worker), from
`durable_jobs.web` (the HTTP side, which the worker never imports), and, with the
matching extras, from `durable_jobs.database`, `durable_jobs.web_database` and
`durable_jobs.beat`. The rest (`_core`, `_web`, `_worker`) is private. What differs
between services is read from their settings at start-up (the broker from BROKER_URL's
scheme, the outbox when DATABASE_URL is set, PRIORITY_QUEUES), not chosen by editing
this package.
"""

from ._core.declaration import Job, JobSpec, discover_jobs, job
from ._core.enqueue import JobClient
from ._core.flower import run_flower
from ._core.payloads import PRINTABLE, InvalidPayload, Payload
from ._core.queues import Queue
from ._core.sending import AcceptedJob, BrokerUnavailable
from ._core.settings import RuntimeSettings
from ._worker.cli import run_worker
from ._worker.install import create_worker_app
from ._worker.job_task import JobTask, idempotent, report_progress

__version__ = "0.4.0"

__all__ = [
    "PRINTABLE",
    "AcceptedJob",
    "BrokerUnavailable",
    "InvalidPayload",
    "Job",
    "JobClient",
    "JobSpec",
    "JobTask",
    "Payload",
    "Queue",
    "RuntimeSettings",
    "create_worker_app",
    "discover_jobs",
    "idempotent",
    "job",
    "report_progress",
    "run_flower",
    "run_worker",
]
