"""One log line and two metrics per request: method, route template, status, duration.

Labelled by route template (`/jobs/{job_id}`), never by raw path, so the number of
series stays bounded whatever clients send.
"""

import time
from functools import lru_cache

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import REQUEST_SECONDS, REQUESTS

# Probes and scrapes come every few seconds: logged at debug level only.
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}
log = structlog.get_logger(__name__)


@lru_cache(maxsize=1024)
def _series(method: str, route: str, status: int) -> tuple[Counter, Histogram]:
    # One lookup per request instead of two `labels()` calls, each with a lock.
    return REQUESTS.labels(method, route, str(status)), REQUEST_SECONDS.labels(method, route)


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless the app answers

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            seconds = time.perf_counter() - started
            answered, timed = _series(scope["method"], route, status)
            answered.inc()
            timed.observe(seconds)
            emit = log.debug if route in QUIET_ROUTES else log.info
            emit(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
