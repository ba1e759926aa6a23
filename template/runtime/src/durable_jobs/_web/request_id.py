"""Every request gets an id (an incoming X-Request-ID is kept) that follows its jobs."""

import re
from uuid import uuid4

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._core.request_context import reset_request_id, set_request_id

HEADER = "x-request-id"
_HEADER_BYTES = HEADER.encode()
# Client-chosen ids end up in logs and job headers: accept only short, plain ones.
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope["headers"] if k == _HEADER_BYTES), b"")
        request_id = incoming.decode("latin-1")
        if not _ACCEPTABLE.match(request_id):
            request_id = uuid4().hex
        token = set_request_id(request_id)
        echoed = request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (_HEADER_BYTES, echoed)]
            await send(message)

        # Every log line of this request carries its id.
        bound = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**bound)
            reset_request_id(token)
