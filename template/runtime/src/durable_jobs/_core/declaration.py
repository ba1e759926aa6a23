"""Declaring a job: `@job(JobSpec(...))` over a function in a module of the jobs package.

A declaration is only data (the spec and the function): it touches no Celery app, so
the API imports job modules to enqueue them and the worker registers the same objects
as tasks (`_worker/job_task.py`). `discover_jobs` imports every module of the jobs
package and collects what was declared there: no list of jobs to keep up to date.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from .queues import DEFAULT

# Limits of a task registered without a spec of its own (Celery's built-in tasks).
DEFAULT_SOFT_TIME_LIMIT = 300
DEFAULT_TIME_LIMIT = 360

P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class JobSpec(Generic[P]):
    """Name, payload model, limits and retries of one job. `retry_on` lists transient
    errors: retried with exponential backoff and jitter, at most `max_retries` times."""

    name: str
    payload: type[P]
    soft_time_limit: int
    time_limit: int
    max_retries: int
    retry_backoff_max: int
    keeps_result: bool = True
    queue: str = DEFAULT
    retry_on: tuple[type[Exception], ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.soft_time_limit < self.time_limit:
            raise ValueError(f"{self.name}: need 0 < soft_time_limit < time_limit")


@dataclass(frozen=True)
class Job(Generic[P]):
    """A declared job: what `JobClient.enqueue` takes and the worker registers."""

    spec: JobSpec[P]
    run: Callable[..., Any]
    module: str

    @property
    def name(self) -> str:
        return self.spec.name


def job(spec: JobSpec[P]) -> Callable[[Callable[[Any, P], Any]], Job[P]]:
    """Declare `run(task, payload)` (plain or `async def`) as the job `spec.name`."""

    def declare(run: Callable[..., Any]) -> Job[P]:
        return Job(spec, run, run.__module__)

    return declare


def spec_of(declared: Job[P] | JobSpec[P]) -> JobSpec[P]:
    return declared.spec if isinstance(declared, Job) else declared


def modules_of(package: ModuleType) -> list[ModuleType]:
    """Every module of `package` and its sub-packages, imported, in name order."""
    infos = pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
    names = sorted(info.name for info in infos)
    return [importlib.import_module(name) for name in names]


def discover_jobs(package: ModuleType) -> tuple[Job[Any], ...]:
    """Every job declared in the modules of `package` (and its sub-packages)."""
    found: dict[str, Job[Any]] = {}
    for module in modules_of(package):
        for value in vars(module).values():
            if not isinstance(value, Job) or value.module != module.__name__:
                continue  # not a job, or one imported from the module declaring it
            other = found.setdefault(value.name, value)
            if other is not value:
                raise ValueError(
                    f"two jobs are named {value.name!r}: in {other.module} and {value.module}"
                )
    return tuple(found.values())


def longest_hard_limit(jobs: tuple[Job[Any], ...]) -> int:
    # At least the default limit (tasks of no JobSpec run under it), also with no job yet.
    return max([DEFAULT_TIME_LIMIT, *(j.spec.time_limit for j in jobs)])


def longest_countdown(jobs: tuple[Job[Any], ...]) -> int:
    return max((j.spec.retry_backoff_max for j in jobs), default=0)
