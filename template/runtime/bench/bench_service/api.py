"""The API the bench loads: the runtime's app (`create_api`: the same middlewares, limits
and publisher as a service's) with the bench's route.
`uvicorn --factory bench_service.api:create_app --http durable_jobs.web:HttpProtocol`."""

from fastapi import FastAPI

from durable_jobs.web import create_api

from . import jobs, routes
from .settings import get_settings


def create_app() -> FastAPI:
    return create_api(
        get_settings(), jobs=jobs, routes=routes, title="bench", description="enqueue under load"
    )
