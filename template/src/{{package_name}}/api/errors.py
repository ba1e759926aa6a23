"""Failures as answers people can act on: never a hang, never a bare 500 for an outage."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from redis.exceptions import RedisError

from ..jobs.sending import BrokerUnavailable


def unavailable(detail: str, retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "retry_after": retry_after},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


def install_error_handlers(app: FastAPI, retry_after: int) -> None:
    @app.exception_handler(BrokerUnavailable)
    async def broker_unavailable(request: Request, exc: BrokerUnavailable) -> JSONResponse:
        return unavailable(
            f"The job queue is unavailable, nothing was enqueued ({exc}). "
            "Retry after the given number of seconds.",
            retry_after,
        )

    @app.exception_handler(RedisError)
    async def redis_unavailable(request: Request, exc: RedisError) -> JSONResponse:
        return unavailable(f"Job storage is unavailable ({type(exc).__name__}).", retry_after)
