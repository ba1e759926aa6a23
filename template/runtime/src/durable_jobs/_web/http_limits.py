"""The HTTP server's own limits: how large a request's head may be, and how long a
client may take to send a whole request. Both hold before any request reaches the app.

uvicorn's httptools protocol (the fast one `uvicorn[standard]` picks) has neither: it
keeps reading a header for as long as it grows (four half-sent 40 MB headers took the
API from 88 to 309 MB) and waits for a body shorter than its Content-Length until the
client gives up. h11, uvicorn's other protocol, bounds the head but costs throughput
and still waits for slow bodies. This protocol is httptools with both limits; the
Procfile, Dockerfile, compose and Kubernetes start uvicorn with `--http` naming it.

- A head (request line and headers) over `MAX_HEADER_BYTES` is answered 431 and the
  connection closed, counted as bytes arrive, so a header that never ends is cut off.
- A request not received whole within `REQUEST_READ_TIMEOUT` seconds of its first byte
  (or of the connection, for the first) is answered 408 (unless its answer has
  started) and the connection closed. Between requests uvicorn's keep-alive timeout
  applies.
"""

import json
from asyncio import TimerHandle
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .._core.settings import RuntimeSettings


@cache
def _settings() -> RuntimeSettings:
    # The protocol is built by uvicorn, before and apart from the app: it reads the
    # same environment and .env files as the app's settings do, once.
    return RuntimeSettings()


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = _settings()
        self._max_head = settings.max_header_bytes
        self._read_timeout = settings.request_read_timeout
        self._head_bytes = 0
        self._reading_head = True  # until the first request's head is complete
        self._deadline: TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        # A connection that never sends a request is held no longer than a slow one.
        self._deadline = self.loop.call_later(self._read_timeout, self._too_slow)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._reading_head and self._head_bytes > self._max_head:
            self._head_too_large()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self._read_timeout, self._too_slow)

    def on_url(self, url: bytes) -> None:
        if not self._refused:
            super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self._refused:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        # A whole head that arrived in one read is measured here.
        head = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if head > self._max_head:
            self._head_too_large()
            return
        self._reading_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._cancel_deadline()
        self._reading_head, self._head_bytes = True, 0  # what follows is the next head
        if not self._refused:
            super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _head_too_large(self) -> None:
        self._refuse(431, f"The request headers are larger than {self._max_head} bytes.")

    def _too_slow(self) -> None:
        self._deadline = None
        self._refuse(408, f"The request was not received within {self._read_timeout:g} s.")

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse(self, status: int, detail: str) -> None:
        """Answer `status` unless an answer has begun, then close the connection."""
        self._refused = True
        self._cancel_deadline()
        if self.transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and not cycle.response_complete and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's own answer, if any, is not sent
        if not answering:
            self.transport.write(_response(status, detail, self.server_state.default_headers))
        self.transport.close()


_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def _response(status: int, detail: str, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    body = json.dumps({"detail": detail}).encode()
    head = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status])]
    head += [name + b": " + value + b"\r\n" for name, value in default_headers]
    head += [
        b"content-type: application/json\r\n",
        b"content-length: %d\r\n" % len(body),
        b"connection: close\r\n\r\n",
    ]
    return b"".join(head) + body
