"""The HTTP side of a configured database (DATABASE_URL): a session per request, a
readiness check, 503 answers for an unreachable database, and jobs still waiting in
the outbox reported as accepted. Imported only when a database is configured, since
SQLAlchemy is the runtime's `database` extra."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .._core import outbox
from .._core.database import async_engine, async_sessions
from .._core.settings import RuntimeSettings
from .errors import unavailable
from .schemas import JobStatusOut, Problem

DATABASE_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "The database is unavailable; nothing was saved"}
}


@asynccontextmanager
async def database_sessions(app: FastAPI, settings: RuntimeSettings) -> AsyncIterator[None]:
    """The engine for the app's lifetime, its sessions on `app.state.sessions`."""
    engine = async_engine(settings)
    app.state.sessions = async_sessions(engine)
    try:
        yield
    finally:
        await engine.dispose()


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    # Never shared between requests: a session is one unit of work. Whatever the
    # route did not commit is rolled back when the session closes.
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    async with sessions() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(_session)]


async def database_answers(app: FastAPI) -> bool:
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions
    try:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        return False
    return True


async def staged_job(app: FastAPI, job_id: str) -> JobStatusOut | None:
    """A job committed to the outbox and not yet published by the relay: accepted and
    pending."""
    sessions: async_sessionmaker[AsyncSession] = app.state.sessions
    async with sessions() as session:
        waiting = await outbox.staged(session, job_id)
    if waiting is None:
        return None
    return JobStatusOut(
        id=waiting.job_id,
        name=waiting.job_name,
        state="PENDING",
        accepted_at=waiting.created_at.isoformat(),
        retries=0,
    )


def install_database_error_handlers(app: FastAPI, retry_after: int) -> None:
    # Connection failures and an exhausted pool, not errors in the SQL itself: those
    # stay 500s, they are bugs.
    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        return unavailable(
            f"The database is unavailable ({type(exc).__name__}); nothing was saved.",
            retry_after,
        )
