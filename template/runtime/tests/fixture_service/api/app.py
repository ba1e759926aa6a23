"""The fixture service's API: `uvicorn --factory fixture_service.api.app:create_app`.
Signup (user and welcome e-mail committed together through the outbox) is there only
when the service has a database."""

from fastapi import FastAPI

from durable_jobs.web import create_api

from .. import jobs
from ..settings import Settings, get_settings
from . import routes


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = create_api(
        settings,
        jobs=jobs,
        routes=routes,
        title="Fixture Service",
        description="The runtime's own service under test",
    )
    if settings.has_database:
        from .signup import router  # noqa: PLC0415 (needs the database extra)

        app.include_router(router)
    return app
