"""`create_api`: the FastAPI app with the runtime's middlewares, error answers and
routes (health, job status, metrics, admin), and every route module of the service."""

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, nullcontext
from types import ModuleType

from fastapi import APIRouter, FastAPI

from .._core.dead_letters import DeadLetters
from .._core.declaration import discover_jobs, modules_of
from .._core.logs import configure_logging
from .._core.settings import RuntimeSettings
from .._core.status import JobStatusReader
from . import admin, health, job_routes, metrics
from .access_log import AccessLogMiddleware
from .body_limit import BodySizeLimitMiddleware
from .errors import REFUSED_BEFORE_ROUTING, install_error_handlers
from .loop_lag import watch_loop_lag
from .request_id import RequestIdMiddleware

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_api(
    settings: RuntimeSettings,
    *,
    jobs: ModuleType,
    routes: ModuleType,
    title: str,
    description: str,
    lifespan: Lifespan | None = None,
) -> FastAPI:
    """The app: the jobs of the `jobs` package can be enqueued, every module of the
    `routes` package with a `router` is included, and `lifespan` (the service's own
    start-up and shutdown) runs inside the runtime's."""
    configure_logging(settings.log_level, settings.log_format)
    declared = discover_jobs(jobs)

    @asynccontextmanager
    async def runtime_lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = metrics.MeasuredJobClient(settings, declared)
        app.state.settings = settings
        app.state.jobs = client
        app.state.job_status = JobStatusReader(client.celery, client.records)
        app.state.dead_letters = DeadLetters.for_settings(settings)
        async with AsyncExitStack() as stack:
            if settings.has_database:
                from .database import database_sessions  # noqa: PLC0415 (the database extra)

                await stack.enter_async_context(database_sessions(app, settings))
            await stack.enter_async_context((lifespan or _nothing)(app))
            # What start-up built lives as long as the process: out of the collector's
            # sight, a full collection no longer walks it (full collections over it
            # were the API's tail latency).
            gc.freeze()
            async with watch_loop_lag():
                yield
        await client.aclose()

    app = FastAPI(
        title=title,
        description=description,
        lifespan=runtime_lifespan,
        responses=REFUSED_BEFORE_ROUTING,
    )
    # Outermost last: the request id is bound before anything logs, and refused
    # bodies (413) are logged and counted too.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
    install_error_handlers(app, settings.retry_after)
    if settings.has_database:
        # Imported only here: SQLAlchemy is the runtime's `database` extra.
        from .database import install_database_error_handlers  # noqa: PLC0415 (the database extra)

        install_database_error_handlers(app, settings.retry_after)
    app.include_router(health.router)
    for router in discover_routers(routes):
        app.include_router(router)
    # Job status, metrics for Prometheus, dead letters for people.
    for operations in (job_routes, metrics, admin):
        app.include_router(operations.router)
    return app


def discover_routers(package: ModuleType) -> list[APIRouter]:
    """The `router` of every module in `package`, in module name order."""
    routers = (getattr(module, "router", None) for module in modules_of(package))
    return [router for router in routers if isinstance(router, APIRouter)]


def _nothing(app: FastAPI) -> AbstractAsyncContextManager[None]:
    return nullcontext()
