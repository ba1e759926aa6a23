"""What routes receive: the shared clients live on `app.state`, built by the lifespan."""

from typing import Annotated

from fastapi import Depends, Request

from ..jobs.dead_letters import DeadLetters
from ..jobs.enqueue import JobClient
from ..jobs.status import JobStatusReader
from ..settings import Settings
from .users import UserStore


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _jobs(request: Request) -> JobClient:
    jobs: JobClient = request.app.state.jobs
    return jobs


def _job_status(request: Request) -> JobStatusReader:
    reader: JobStatusReader = request.app.state.job_status
    return reader


def _dead_letters(request: Request) -> DeadLetters:
    letters: DeadLetters = request.app.state.dead_letters
    return letters


def _users(request: Request) -> UserStore:
    users: UserStore = request.app.state.users
    return users


SettingsDep = Annotated[Settings, Depends(_settings)]
JobsDep = Annotated[JobClient, Depends(_jobs)]
JobStatusDep = Annotated[JobStatusReader, Depends(_job_status)]
UsersDep = Annotated[UserStore, Depends(_users)]
DeadLettersDep = Annotated[DeadLetters, Depends(_dead_letters)]
