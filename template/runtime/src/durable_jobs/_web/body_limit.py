"""Refuse request bodies over MAX_REQUEST_BYTES with 413 before reading them whole.

Job payloads are small by design (ids and values, never blobs); a large body is a
mistake or an attack, and reading it would cost memory first.
"""

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _detail(self) -> str:
        return f"The request body is larger than {self.max_bytes} bytes."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
        if declared.isdigit():
            if int(declared) > self.max_bytes:
                response = JSONResponse({"detail": self._detail()}, status_code=413)
                await response(scope, receive, send)
                return
            # The server reads no more than a declared length: nothing left to count.
            await self.app(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            # A body without Content-Length (chunked) is counted as it arrives; the
            # HTTPException reaches FastAPI's handler and becomes the same 413.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise HTTPException(413, self._detail())
            return message

        await self.app(scope, counting_receive, send)
