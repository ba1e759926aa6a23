"""One log line and two metrics per request: method, route template, status, duration.

Labelled by route template (`/jobs/{job_id}`), never by raw path, so the number of
series stays bounded whatever clients send.
"""

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import REQUEST_SECONDS, REQUESTS

# Probes and scrapes come every few seconds: logged at debug level only.
QUIET_ROUTES = {"/healthz", "/readyz", "/metrics"}
log = structlog.get_logger(__name__)


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
            REQUESTS.labels(scope["method"], route, str(status)).inc()
            REQUEST_SECONDS.labels(scope["method"], route).observe(seconds)
            emit = log.debug if route in QUIET_ROUTES else log.info
            emit(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=route,
                status=status,
                duration_ms=round(seconds * 1000, 2),
            )
