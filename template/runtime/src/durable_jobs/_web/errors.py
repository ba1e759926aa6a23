"""Failures as answers people can act on: never a hang, never a bare 500 for an outage."""

import math
import time
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException

from .._core.sending import BrokerUnavailable
from .schemas import Problem

# Answers any request can get before a route sees it (the server's own limits in
# `http_limits.py`, the body limit in `body_limit.py`): in every operation's OpenAPI.
REFUSED_BEFORE_ROUTING: dict[int | str, dict[str, Any]] = {
    408: {
        "model": Problem,
        "description": "The request was not received whole within REQUEST_READ_TIMEOUT "
        "seconds; the connection is closed",
    },
    413: {"model": Problem, "description": "The body is larger than MAX_REQUEST_BYTES"},
    431: {
        "model": Problem,
        "description": "The request line and headers are larger than MAX_HEADER_BYTES; "
        "the connection is closed",
    },
}
# FastAPI's answer to a body its JSON parser cannot decode at all (not UTF-8).
_UNDECODABLE_BODY = "There was an error parsing the body"
# An outage answers thousands of requests a second: each cause is logged once per
# this many seconds (every 503 has its access-log line anyway).
CAUSE_LOG_INTERVAL = 10.0
log = structlog.get_logger(__name__)
_cause_logged_at: dict[str, float] = {}


def _log_cause(cause: str) -> None:
    """Why the queue is unavailable, for operators: the logs keep what the answer
    leaves out (addresses, ports, broker errors)."""
    now = time.monotonic()
    if now - _cause_logged_at.get(cause, -CAUSE_LOG_INTERVAL) >= CAUSE_LOG_INTERVAL:
        _cause_logged_at[cause] = now
        log.warning("job queue unavailable: answering 503", cause=cause)


def unavailable(detail: str, retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"detail": detail, "retry_after": retry_after},
        status_code=503,
        headers={"Retry-After": str(retry_after)},
    )


def _finite(value: Any) -> Any:
    """The echoed input of a refused body, with NaN and Infinity as text: JSON has no
    such numbers, and FastAPI's own 422 answer fails (500) on encoding them."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def install_error_handlers(app: FastAPI, retry_after: int) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _finite(jsonable_encoder(exc.errors()))}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == _UNDECODABLE_BODY:
            # JSON is UTF-8: a body that is not gets the 422 of any other malformed
            # JSON (documented on every operation with a body), not an undocumented 400.
            error = {
                "type": "json_invalid",
                "loc": ["body", 0],
                "msg": "JSON decode error",
                "input": {},
                "ctx": {"error": "The body is not UTF-8"},
            }
            return JSONResponse({"detail": [error]}, status_code=422)
        return await http_exception_handler(request, exc)

    @app.exception_handler(BrokerUnavailable)
    async def broker_unavailable(request: Request, exc: BrokerUnavailable) -> JSONResponse:
        # The cause (a broker address, its error) is for the logs, not for callers.
        _log_cause(str(exc))
        return unavailable(
            "The job queue is unavailable, nothing was enqueued. "
            "Retry after the given number of seconds.",
            retry_after,
        )

    @app.exception_handler(RedisError)
    async def redis_unavailable(request: Request, exc: RedisError) -> JSONResponse:
        return unavailable(f"Job storage is unavailable ({type(exc).__name__}).", retry_after)
