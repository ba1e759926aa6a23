"""Starting a rendered project's processes with its own make targets, as its README says.

Shared by the boot tests and `scripts/demo.py`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

# The runtime's process supervisor serves the template's tests too: one implementation.
from durable_jobs.testing.process_supervisor import (
    ManagedProcess,
    ProcessSupervisor,
    http_ok,
    log_matches,
)

ROOT = Path(__file__).resolve().parent.parent

WORKER_READY = r"\S+@\S+ ready\."
START_TIMEOUT = 60


def api_url(env: dict[str, str]) -> str:
    return f"http://127.0.0.1:{env['API_PORT']}"


def start_make_target(
    supervisor: ProcessSupervisor, project: Path, env: dict[str, str], target: str
) -> ManagedProcess:
    """`make worker`, `make api` or `make dev`, returning once it serves."""
    ready = log_matches(WORKER_READY) if target == "worker" else http_ok(f"{api_url(env)}/readyz")
    process = supervisor.start(
        target, ["make", target], env=env, cwd=project, ready=ready, timeout=START_TIMEOUT
    )
    if target == "dev":
        process.wait_until(log_matches(WORKER_READY), START_TIMEOUT, "running a ready worker")
    return process


def start_worker_and_api(supervisor: ProcessSupervisor, project: Path, env: dict[str, str]) -> str:
    start_make_target(supervisor, project, env, "worker")
    start_make_target(supervisor, project, env, "api")
    return api_url(env)


def wait_for_success(client: httpx.Client, location: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    status: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status = client.get(location).raise_for_status().json()
        if status["state"] in {"SUCCESS", "FAILURE"}:
            break
        time.sleep(0.1)
    assert status.get("state") == "SUCCESS", status
    return status
