"""A network namespace with nothing but a loopback interface: a machine on which no
server runs at the default addresses, for the tests of what starts them privately."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def pids_in(prefix: list[str]) -> list[int]:
    """The processes running in the namespace that `prefix` runs commands in."""
    listed = subprocess.run(
        ["ip", "netns", "pids", prefix[-1]], capture_output=True, text=True, check=True
    ).stdout
    return [int(pid) for pid in listed.split()]


@contextmanager
def empty_network() -> Iterator[list[str]]:
    """The command prefix that runs a command inside such a namespace; whatever still
    runs there at the end is killed, and the namespace removed."""
    if os.geteuid() != 0:
        pytest.skip("creating a network namespace needs root (CI runs as root)")
    name = f"template-test-{uuid.uuid4().hex[:8]}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    prefix = ["ip", "netns", "exec", name]
    try:
        subprocess.run([*prefix, "ip", "link", "set", "lo", "up"], check=True)
        yield prefix
    finally:
        for pid in pids_in(prefix):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        subprocess.run(["ip", "netns", "delete", name], check=True)
