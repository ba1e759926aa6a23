"""The ports a Procfile's processes will listen on, and who holds one already.

`make dev` checks them before it starts anything: a busy port otherwise ends the whole
run with one line among dozens (`[Errno 98] address already in use`), after every
other process started.
"""

from __future__ import annotations

import errno
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# `${API_PORT:-8000}` (empty means the default) or `${WORKER_METRICS_PORT-9101}` (empty
# means off: the process listens on no port).
PORT_VARIABLE = re.compile(r"\$\{(?P<name>[A-Z_]*PORT)(?P<colon>:?)-(?P<default>\d*)\}")
LISTEN = "0A"


@dataclass(frozen=True)
class PlannedPort:
    process: str
    variable: str
    port: int


def planned_ports(commands: Mapping[str, str], env: Mapping[str, str]) -> list[PlannedPort]:
    """The port each command's shell will expand, as `sh` expands it in `env`."""
    planned = []
    for process, command in commands.items():
        for found in PORT_VARIABLE.finditer(command):
            name, default = found["name"], found["default"]
            value = env.get(name)
            if value is None or (found["colon"] and not value):
                value = default
            if value:
                planned.append(PlannedPort(process, name, int(value)))
    return planned


def is_free(port: int, host: str = "127.0.0.1") -> bool:
    """A listener can bind `host:port` (a wildcard listener on it makes it busy too)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def holder(port: int) -> str | None:
    """`pid N (command line)` of a process listening on `port`, where /proc shows it
    (Linux, the same user or root); None elsewhere."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc") if inodes else []):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in fds):
                words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                command = b" ".join(words).decode(errors="replace").strip()
                return f"pid {pid} ({command})"
        except OSError:
            continue
    return None


def busy_port_message(planned: list[PlannedPort]) -> str | None:
    """One line for the first planned port that is taken, None when all are free."""
    for wanted in planned:
        if not is_free(wanted.port):
            by = holder(wanted.port)
            return (
                f"port {wanted.port} ({wanted.variable}, for {wanted.process}) is in use"
                f"{f' by {by}' if by else ''}: stop that, or set {wanted.variable} to a free "
                "port in .env"
            )
    return None
