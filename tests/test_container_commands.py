"""The commands compose.yaml gives each container, booted as local processes from the
rendered project's environment (the image puts that environment first on PATH), with
compose's own environment; then real jobs and each service's own health check. Compose
cannot drift from what works."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from booting import WORKER_READY, wait_for_success
from conftest import starts_a_worker
from durable_jobs.testing.process_supervisor import (
    ManagedProcess,
    ProcessSupervisor,
    free_port,
    http_ok,
    log_matches,
)

pytestmark = [pytest.mark.boot, pytest.mark.xdist_group("processes")]
# Servers compose runs beside the service: the test's own stand in for them.
BACKING_SERVICES = {"redis", "rabbitmq", "postgres"}
COMPOSE_DATABASE_URL = "postgresql+psycopg://postgres@postgres:5432/acme_jobs"
START_TIMEOUT = 60
# A container port (API, Flower, worker and relay metrics) as a URL's port, a `--port=`
# value or a value of its own.
CONTAINER_PORT = re.compile(
    r"(?<=127\.0\.0\.1:)(8000|5555)\b|(?<=--port=)(8000|5555)$|^(8000|5555|9101|9102|9103)$"
)


class ComposeService:
    """One service of compose.yaml, translated for this machine: container host names
    become the test's brokers, in-container ports free local ones, 0.0.0.0 loopback."""

    def __init__(self, name: str, spec: dict[str, Any], env: dict[str, str], tmp: Path) -> None:
        self.name = name
        self.spec = spec
        self.ports = {
            "8000": env["API_PORT"],
            "5555": env["FLOWER_PORT"],
            "9101": str(free_port()),
            "9102": str(free_port()),
            "9103": str(free_port()),
        }
        self.hosts = {
            "redis://redis:6379/0": env["REDIS_URL"],
            "amqp://guest:guest@rabbitmq:5672//": env.get("BROKER_URL", ""),
            COMPOSE_DATABASE_URL: env.get("DATABASE_URL", ""),
            "/tmp/heartbeat": str(tmp / f"{name}.heartbeat"),
            "/tmp/metrics": str(tmp / f"{name}.metrics"),
        }
        self.env = {**env, **{k: self.local(str(v)) for k, v in spec["environment"].items()}}

    def local(self, value: str) -> str:
        value = self.hosts.get(value, value).replace("0.0.0.0", "127.0.0.1")
        return CONTAINER_PORT.sub(lambda port: self.ports[port[0]], value)

    @property
    def command(self) -> list[str]:
        return [self.local(arg) for arg in self.spec["command"]]

    @property
    def healthcheck(self) -> list[str]:
        kind, *argv = self.spec["healthcheck"]["test"]
        assert kind == "CMD", f"{self.name}: exec-form health checks only"
        return [self.local(arg) for arg in argv]

    def ready(self) -> Any:
        if starts_a_worker(self.command):
            return log_matches(WORKER_READY)
        if "beat" in self.command or self.name == "relay":
            return lambda _: Path(self.env["HEARTBEAT_FILE"]).exists()
        path = "/readyz" if self.name == "api" else "/healthcheck"
        port = self.ports["8000" if self.name == "api" else "5555"]
        return http_ok(f"http://127.0.0.1:{port}{path}")


def compose_services(project: Path, env: dict[str, str], tmp: Path) -> list[ComposeService]:
    spec = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    # As in the image: the project's environment first on PATH, `python` included.
    path = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    local = {**env, "PATH": path, "WORKER_SOFT_SHUTDOWN_TIMEOUT": "2"}
    return [ComposeService(n, s, local, tmp) for n, s in spec.items() if n not in BACKING_SERVICES]


def boot(
    supervisor: ProcessSupervisor, project: Path, services: list[ComposeService]
) -> dict[str, ManagedProcess]:
    """The one-shot services first, to completion (compose's service_completed_successfully),
    then the long-running ones."""
    for once in (s for s in services if s.spec.get("restart") == "no"):
        result = run_locally(once.command, once, project, timeout=120)
        assert result.returncode == 0, f"{once.name}: {result.stdout}{result.stderr}"
    return {
        s.name: supervisor.start(
            s.name, s.command, env=s.env, cwd=project, ready=s.ready(), timeout=START_TIMEOUT
        )
        for s in services
        if s.spec.get("restart") != "no"
    }


def run_locally(
    argv: list[str], service: ComposeService, project: Path, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """A command in the service's environment, as its container would run it."""
    return subprocess.run(
        argv,
        cwd=project,
        env=service.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def passes_healthcheck(service: ComposeService, project: Path) -> subprocess.CompletedProcess[str]:
    return run_locally(service.healthcheck, service, project)


@pytest.mark.parametrize("which", ["default_project", "rabbitmq_project"])
def test_compose_commands_boot_pass_their_health_checks_and_run_jobs(
    request: pytest.FixtureRequest,
    which: str,
    tmp_path: Path,
    supervisor: ProcessSupervisor,
) -> None:
    project: Path = request.getfixturevalue(which)
    env: dict[str, str] = request.getfixturevalue(
        "rabbitmq_env" if which == "rabbitmq_project" else "service_env"
    )
    services = compose_services(project, env, tmp_path)
    boot(supervisor, project, services)

    for service in (s for s in services if "healthcheck" in s.spec):
        result = passes_healthcheck(service, project)
        assert result.returncode == 0, f"{service.name}: {result.stderr}"

    client = httpx.Client(base_url=f"http://127.0.0.1:{env['API_PORT']}", timeout=5)
    charge = {"customer_id": "cus-compose", "amount_cents": 100, "currency": "EUR"}
    accepted = client.post("/charges", json=charge, headers={"Idempotency-Key": which})
    assert accepted.status_code == 202, accepted.text
    wait_for_success(client, accepted.headers["location"])
    if any(service.name == "relay" for service in services):
        signup = client.post("/signup", json={"email": f"{which}@example.com", "name": "C"})
        assert signup.status_code == 201, signup.text
        wait_for_success(client, signup.json()["welcome_email"]["status_url"])

    assert "jobs_enqueued_total" in client.get("/metrics").text
    for service in services:
        # The services compose gives a metrics port (the test's environment has them all).
        if "WORKER_METRICS_PORT" in service.spec["environment"]:
            scraped = httpx.get(f"http://127.0.0.1:{service.env['WORKER_METRICS_PORT']}/metrics")
            assert "celery_queue_length" in scraped.text, service.name
        if "RELAY_METRICS_PORT" in service.spec["environment"]:
            scraped = httpx.get(f"http://127.0.0.1:{service.env['RELAY_METRICS_PORT']}/metrics")
            assert "outbox_relayed_total" in scraped.text


def test_sigterm_hands_a_running_job_back_after_the_soft_shutdown(
    default_project: Path,
    service_env: dict[str, str],
    tmp_path: Path,
    supervisor: ProcessSupervisor,
) -> None:
    """SIGTERM, as `docker compose stop` or Kubernetes sends it: with the compose
    environment (REMAP_SIGTERM=SIGQUIT) the worker waits WORKER_SOFT_SHUTDOWN_TIMEOUT,
    then returns the job to the broker instead of losing it, and the next worker runs it."""
    services = {s.name: s for s in compose_services(default_project, service_env, tmp_path)}
    processes = boot(supervisor, default_project, [services["api"], services["worker"]])
    client = httpx.Client(base_url=f"http://127.0.0.1:{service_env['API_PORT']}", timeout=5)
    accepted = client.post("/reports", json={"rows": 100, "seconds_per_step": 1})
    assert accepted.status_code == 202, accepted.text
    location = accepted.headers["location"]
    deadline = time.monotonic() + 30
    while client.get(location).json()["state"] not in {"STARTED", "PROGRESS"}:
        assert time.monotonic() < deadline, "the report never started"
        time.sleep(0.1)

    worker = processes["worker"]
    stopped_at = time.monotonic()
    assert worker.terminate(grace=30) is not None, "the worker ignored SIGTERM"
    assert time.monotonic() - stopped_at < 20
    assert "Soft Shutdown" in worker.output()

    worker.start(START_TIMEOUT)
    status = wait_for_success(client, location, timeout=90)
    assert status["result"]["uri"].endswith(".csv")
