"""Every job the service knows, with the limits the broker and the worker must respect.

Adding a job: describe it here, then implement it in `worker/tasks/` with
`@job_task(THE_SPEC)`. The limits below also size the broker's visibility timeout.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .payloads import Charge, CleanupOutputs, Report, WelcomeEmail
from .queues import DEFAULT, HIGH, LOW

# Limits for a task registered without a spec of its own.
DEFAULT_SOFT_TIME_LIMIT = 300
DEFAULT_TIME_LIMIT = 360

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class JobSpec(Generic[P]):
    name: str
    payload: type[P]
    soft_time_limit: int
    time_limit: int
    max_retries: int
    retry_backoff_max: int
    keeps_result: bool = True
    queue: str = DEFAULT

    def __post_init__(self) -> None:
        if not 0 < self.soft_time_limit < self.time_limit:
            raise ValueError(f"{self.name}: need 0 < soft_time_limit < time_limit")


WELCOME_EMAIL = JobSpec(
    name="email.welcome",
    payload=WelcomeEmail,
    soft_time_limit=20,
    time_limit=30,
    max_retries=8,
    retry_backoff_max=600,
)
CHARGE = JobSpec(
    name="billing.charge",
    payload=Charge,
    soft_time_limit=10,
    time_limit=15,
    max_retries=5,
    retry_backoff_max=300,
    queue=HIGH,
)
REPORT = JobSpec(
    name="reports.build",
    payload=Report,
    soft_time_limit=240,
    time_limit=300,
    max_retries=3,
    retry_backoff_max=120,
    queue=LOW,
)
CLEANUP_OUTPUTS = JobSpec(
    name="storage.cleanup_outputs",
    payload=CleanupOutputs,
    soft_time_limit=240,
    time_limit=300,
    max_retries=2,
    retry_backoff_max=60,
    # Nobody polls it: a periodic chore, its outcome is in the worker's log.
    keeps_result=False,
    queue=LOW,
)

ALL_JOBS: tuple[JobSpec[Any], ...] = (WELCOME_EMAIL, CHARGE, REPORT, CLEANUP_OUTPUTS)


def longest_hard_limit() -> int:
    return max(DEFAULT_TIME_LIMIT, *(spec.time_limit for spec in ALL_JOBS))


def longest_countdown() -> int:
    return max(spec.retry_backoff_max for spec in ALL_JOBS)
