"""Database sessions in the worker: one per task run, never shared, always closed.

A session is a unit of work with the lifecycle of its task, not of the process or of
an HTTP request: `task_session()` commits when its block ends normally, rolls back when
it raises (a failure, or the exception that makes Celery retry), and closes either way,
so no connection is left idle in a transaction. Keep external calls (SMTP, payment
providers) outside the block: a transaction held open across them holds locks.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from durable_jobs.database import sync_engine, sync_sessions

from ..settings import get_settings

# A database that is down or saturated is an outage, not a verdict on the job: retry.
DATABASE_OUTAGE = (OperationalError, InterfaceError, PoolTimeout)


@lru_cache(maxsize=1)
def _sessions_of(pid: int) -> sessionmaker[Session]:
    # Keyed by process: a pool process forked from a parent that had connected gets an
    # engine of its own instead of sharing the parent's sockets.
    return sync_sessions(sync_engine(get_settings()))


@contextmanager
def task_session() -> Iterator[Session]:
    with _sessions_of(os.getpid()).begin() as session:
        yield session
