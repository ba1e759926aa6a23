"""The API server's own limits, against the process the Procfile starts: a head over
MAX_HEADER_BYTES gets 431, a request sent too slowly 408, a connection that sends
nothing is closed; and none of it costs the server memory or its other clients."""

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx2 as httpx
import pytest
from conftest import make_settings, start_api
from fixture_service.settings import Settings

from durable_jobs.testing.process_supervisor import ProcessSupervisor

# Nothing here depends on the broker: the template runs it on one configuration.
pytestmark = pytest.mark.broker_agnostic

READ_TIMEOUT = 1.0


@dataclass(frozen=True)
class Api:
    address: tuple[str, int]
    pid: int
    settings: Settings


@pytest.fixture(scope="module")
def api(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One API for the module, as the Procfile starts it, with a short read deadline."""
    directory = tmp_path_factory.mktemp("http-limits")
    settings = make_settings(directory).model_copy(update={"request_read_timeout": READ_TIMEOUT})
    supervisor = ProcessSupervisor(directory / "logs")
    try:
        parts = urlsplit(start_api(supervisor, settings))
        [server] = supervisor.processes
        yield Api((str(parts.hostname), int(parts.port or 0)), server.pid, settings)
    finally:
        supervisor.stop_all()


def connect(api: Api) -> socket.socket:
    return socket.create_connection(api.address, timeout=10)


def answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Reads until the server closes the connection: (status, headers, body)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def send_ignoring_reset(sock: socket.socket, data: bytes) -> None:
    # The server may close while the rest is still on its way: that is the point.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(data)


def rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1])


def test_a_head_over_the_limit_gets_431(api: Api) -> None:
    settings = api.settings
    with connect(api) as sock:
        big = "x" * (settings.max_header_bytes + 1)
        sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: {big}\r\n\r\n".encode())
        status, headers, body = answer(sock)
    assert status == 431
    assert headers["connection"] == "close"
    assert str(settings.max_header_bytes) in json.loads(body)["detail"]


def test_a_header_that_never_ends_is_cut_off_without_growing_the_server(api: Api) -> None:
    before = rss_kib(api.pid)
    statuses = []
    for _ in range(4):
        with connect(api) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ")
            for _ in range(40 * 16):  # 40 MB if nobody stopped it, never a line end
                try:
                    sock.sendall(b"x" * 65536)
                except (BrokenPipeError, ConnectionResetError):
                    break
            try:
                statuses.append(answer(sock)[0])
            except ConnectionResetError:
                statuses.append(0)  # closed before the 431 could be read: refused too
    grown = rss_kib(api.pid) - before
    print(f"four never-ending 40 MB headers: {statuses}, the API grew by {grown} KiB")
    assert set(statuses) <= {431, 0}
    assert 431 in statuses
    assert grown < 16 * 1024


def test_a_body_shorter_than_its_length_gets_408_in_time(api: Api) -> None:
    with connect(api) as sock:
        started = time.monotonic()
        sock.sendall(
            b"POST /charges HTTP/1.1\r\nHost: t\r\nIdempotency-Key: slow-body-1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"customer'
        )
        status, headers, body = answer(sock)
        waited = time.monotonic() - started
    assert status == 408
    assert headers["connection"] == "close"
    assert "not received within" in json.loads(body)["detail"]
    # asyncio may run a timer up to its clock resolution early (seen: 0.99994 s).
    assert READ_TIMEOUT - 0.05 <= waited < READ_TIMEOUT + 2


def test_a_head_sent_a_byte_at_a_time_gets_408(api: Api) -> None:
    with connect(api) as sock:
        started = time.monotonic()
        request = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"y" * 100
        for byte in request:
            send_ignoring_reset(sock, bytes([byte]))
            if time.monotonic() - started > READ_TIMEOUT + 0.5:
                break
            time.sleep(0.05)
        status, _, _ = answer(sock)
    assert status == 408


def test_a_connection_that_sends_nothing_is_closed(api: Api) -> None:
    with connect(api) as sock:
        started = time.monotonic()
        assert sock.recv(1024).startswith(b"HTTP/1.1 408")
        assert sock.recv(1024) == b""
        assert time.monotonic() - started < READ_TIMEOUT + 2


def test_requests_within_the_limits_are_served_on_one_connection(api: Api) -> None:
    host, port = api.address
    headers = {"X-Fits": "z" * (api.settings.max_header_bytes // 2)}
    with httpx.Client(base_url=f"http://{host}:{port}") as client:
        for _ in range(3):
            assert client.get("/healthz", headers=headers).status_code == 200
            time.sleep(READ_TIMEOUT / 2)  # time between requests is not held against them
        # A body read whole on the same connection (refused by validation: no job).
        refused = client.post(
            "/charges",
            json={"customer_id": "c", "amount_cents": 0, "currency": "EUR"},
            headers={"Idempotency-Key": "limits-fit-1"},
        )
        assert refused.status_code == 422, refused.text
        assert client.get("/healthz").status_code == 200
