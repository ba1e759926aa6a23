"""What routes receive: the shared clients live on `app.state`, built by the lifespan
(`app_factory.py`). A database session is the exception: each request gets its own,
closed after it (`database.py`).

All are `async def`, though none awaits anything: FastAPI runs a plain `def`
dependency in its thread pool, a hand-over to another thread and back on every
request.
"""

from typing import Annotated

from fastapi import Depends, Request

from .._core.dead_letters import DeadLetters
from .._core.enqueue import JobClient
from .._core.settings import RuntimeSettings
from .._core.status import JobStatusReader


async def _settings(request: Request) -> RuntimeSettings:
    settings: RuntimeSettings = request.app.state.settings
    return settings


async def _jobs(request: Request) -> JobClient:
    jobs: JobClient = request.app.state.jobs
    return jobs


async def _job_status(request: Request) -> JobStatusReader:
    reader: JobStatusReader = request.app.state.job_status
    return reader


async def _dead_letters(request: Request) -> DeadLetters:
    letters: DeadLetters = request.app.state.dead_letters
    return letters


SettingsDep = Annotated[RuntimeSettings, Depends(_settings)]
JobsDep = Annotated[JobClient, Depends(_jobs)]
JobStatusDep = Annotated[JobStatusReader, Depends(_job_status)]
DeadLettersDep = Annotated[DeadLetters, Depends(_dead_letters)]
