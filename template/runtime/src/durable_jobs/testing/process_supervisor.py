"""Start real OS processes for tests, wait until they are ready, kill them, clean up.

One helper for every boot and resilience test: each process runs in its own process
group (so a kill reaches a Celery worker's children too) and writes its output to a
log file that is printed when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


class ProcessNotReady(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def http_ok(url: str) -> Callable[[ManagedProcess], bool]:
    def check(_: ManagedProcess) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                return bool(response.status == 200)
        except OSError:
            return False

    return check


def log_matches(pattern: str) -> Callable[[ManagedProcess], bool]:
    regex = re.compile(pattern)
    return lambda process: bool(regex.search(process.output()))


@dataclass
class ManagedProcess:
    name: str
    argv: Sequence[str]
    env: Mapping[str, str]
    cwd: Path
    log_path: Path
    ready: Callable[[ManagedProcess], bool] | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log_offset: int = 0

    def start(self, timeout: float = 30) -> ManagedProcess:
        self._log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                list(self.argv),
                cwd=self.cwd,
                env=dict(self.env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if self.ready is not None:
            self.wait_until(self.ready, timeout, "ready")
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None, f"{self.name} was never started"
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output(self, since_start: bool = True) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset if since_start else 0)
            return log.read().decode(errors="replace")

    def wait_until(
        self, condition: Callable[[ManagedProcess], bool], timeout: float, what: str
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            if not self.alive():
                raise ProcessNotReady(f"{self.name} exited before it was {what}:\n{self.output()}")
            time.sleep(0.1)
        raise ProcessNotReady(f"{self.name} was not {what} after {timeout} s:\n{self.output()}")

    def signal_group(self, signum: int) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no goodbye, like an OOM kill."""
        self.signal_group(signal.SIGKILL)
        self._reap(timeout=10)

    def terminate(self, grace: float = 20) -> int | None:
        """SIGTERM to the process itself, as Docker or Kubernetes send it to PID 1 (for
        Celery a warm shutdown), then SIGKILL to the whole group after `grace` seconds."""
        if not self.alive():
            return self.popen.returncode if self.popen else None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        try:
            return self._reap(timeout=grace)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def _reap(self, timeout: float) -> int | None:
        assert self.popen is not None
        code = self.popen.wait(timeout=timeout)
        # Children may outlive a parent that was killed first.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        return code

    def restart(self, timeout: float = 30) -> ManagedProcess:
        self.kill()
        return self.start(timeout)

    def children(self) -> list[int]:
        """Direct children's pids (a prefork worker's pool processes)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        if not path.exists():
            return []
        return [int(pid) for pid in path.read_text().split()]


class ProcessSupervisor:
    """Owns every process a test started, and stops them all at the end."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.processes: list[ManagedProcess] = []

    def start(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: Path,
        ready: Callable[[ManagedProcess], bool] | None = None,
        timeout: float = 30,
    ) -> ManagedProcess:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        process = ManagedProcess(name, argv, env, cwd, self.log_dir / f"{name}.log", ready)
        self.processes.append(process)
        return process.start(timeout)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.terminate(grace=10)

    def report(self) -> str:
        return "\n".join(
            f"----- {process.name} (pid {process.popen.pid if process.popen else '-'}) -----\n"
            f"{process.output(since_start=False)[-20000:]}"
            for process in self.processes
        )
