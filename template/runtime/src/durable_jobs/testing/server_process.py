"""Running one server process for as long as a context lasts: in a session of its own,
stopped with the context (and with its starter, should that die first), ready once it
accepts connections."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

START_TIMEOUT = 60


class ServerUnavailable(Exception):
    """A server can be neither reached nor started; the message says what to do."""


def answers(url: str, timeout: float = 1) -> bool:
    """Whether something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url)
    default_port = {"redis": 6379, "amqp": 5672}.get(parts.scheme, 5432)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout
        ):
            return True
    except OSError:
        return False


def as_service_user(user: str, directory: Path) -> list[str]:
    """Servers that refuse to run as root run as their package's own user."""
    if os.geteuid() != 0:
        return []
    account = pwd.getpwnam(user)
    for path in [directory, *directory.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)
    return ["runuser", "-u", user, "--"]


def _wait_until_ready(
    ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str, log: Path
) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if ready():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise ServerUnavailable(f"{what} did not start; its log:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen[bytes], grace: float = 20) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def _stop_with_parent() -> None:
    """In the child before exec: the kernel sends SIGTERM when its starter dies, so a
    killed test run or `make dev` leaves no server behind (Linux's PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


@contextmanager
def running(
    argv: list[str],
    directory: Path,
    url: str,
    env: dict[str, str] | None = None,
    ready: Callable[[], bool] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """The server `argv` starts, until the context ends; ready once it accepts
    connections at `url`, or once `ready` says so when a server needs more. Its
    process leads a process group of its own (`os.killpg` stops all of it)."""
    log = directory / "server.log"
    with log.open("ab") as output:
        # A session of its own: a Ctrl-C meant for the service must not stop its broker
        # before the service has shut down.
        process = subprocess.Popen(
            argv,
            cwd=directory,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_stop_with_parent,  # noqa: PLW1509  (servers start before any thread)
        )
    try:
        _wait_until_ready(ready or (lambda: answers(url, timeout=0.5)), process, url, log)
        yield process
    finally:
        _stop(process)
