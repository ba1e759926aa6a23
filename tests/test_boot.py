"""Boot the rendered service as its README says and send it real jobs through real Redis."""

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from booting import (
    ROOT,
    START_TIMEOUT,
    WORKER_READY,
    api_url,
    start_make_target,
    start_worker_and_api,
    wait_for_success,
)
from conftest import SERVER_VARIABLES
from databases import psql
from durable_jobs.testing.process_supervisor import (
    ProcessSupervisor,
    free_port,
    http_ok,
    log_matches,
)
from network_namespace import empty_network, pids_in
from redis import Redis

TESTS = ROOT / "tests"
pytestmark = [pytest.mark.boot, pytest.mark.xdist_group("processes")]


def exercise(base_url: str, env: dict[str, str], redis_url: str) -> None:
    """Signup and a charge sent twice: every job succeeds, every side effect happens once."""
    client = httpx.Client(base_url=base_url, timeout=5)
    signup = client.post("/signup", json={"email": "new.user@example.com", "name": "New User"})
    assert signup.status_code == 201, signup.text
    wait_for_success(client, signup.json()["welcome_email"]["status_url"])

    key = f"boot-{uuid.uuid4().hex}"
    charge = {"customer_id": "cus-1", "amount_cents": 4200, "currency": "EUR"}
    for _ in range(2):
        accepted = client.post("/charges", json=charge, headers={"Idempotency-Key": key})
        assert accepted.status_code == 202, accepted.text
        wait_for_success(client, accepted.headers["location"])

    mails = sorted(path.name for path in Path(env["MAIL_DIR"]).iterdir())
    assert mails == [f"welcome-{signup.json()['user_id']}.eml"]
    if "DATABASE_URL" in env:  # the charge ledger is a PostgreSQL table
        sql = f"SELECT count(*) FROM charges WHERE idempotency_key = '{key}'"
        assert psql(sql, env["DATABASE_URL"]) == "1"
    else:
        ledger = Redis.from_url(redis_url).lrange(f"{env['KEY_PREFIX']}ledger:charges", 0, -1)
        assert sum(key.encode() in entry for entry in ledger) == 1


def readme_block(project: Path, heading: str) -> str:
    """The first Python block under `heading` in the rendered README, verbatim."""
    section = (project / "README.md").read_text().split(f"\n{heading}\n", 1)[1]
    return section.split("```python\n", 1)[1].split("\n```", 1)[0]


def run_snippet(
    project: Path, snippet: str, env: dict[str, str], shell: str = ""
) -> subprocess.CompletedProcess[str]:
    """A Python snippet (or a `shell` command line) run in the project's environment."""
    argv = ["uv", "run", "--frozen", *(shlex.split(shell) or ["python", "-c", snippet])]
    return subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=120)


def use_celery_as_the_readme_shows(project: Path, env: dict[str, str], base_url: str) -> None:
    """The README's Celery snippets, run verbatim from the project's environment with
    the service's settings (a QUEUE_PREFIX among them). The canvas: a group, a chord
    and a chain of charges. The plain client: its job runs; with another QUEUE_PREFIX
    it fails instead of leaving the job where no worker looks."""
    canvas = run_snippet(project, readme_block(project, "### Workflows with Celery's canvas"), env)
    assert canvas.returncode == 0, canvas.stderr
    assert canvas.stdout.split() == ["2", "2", "300"]

    snippet = readme_block(project, "### Sending jobs with Celery's own API")
    sent = run_snippet(project, snippet, env)
    assert sent.returncode == 0, sent.stderr
    # Recorded by the worker when it takes the job: 404 until then.
    client = httpx.Client(base_url=base_url, timeout=5)
    deadline = time.monotonic() + START_TIMEOUT
    state = None
    while state != "SUCCESS" and time.monotonic() < deadline:
        answer = client.get(f"/jobs/{sent.stdout.strip()}")
        state = answer.json().get("state") if answer.status_code == 200 else None
        time.sleep(0.2)
    assert state == "SUCCESS", answer.text
    refused = run_snippet(project, snippet, {**env, "QUEUE_PREFIX": f"not-{env['QUEUE_PREFIX']}"})
    assert refused.returncode != 0
    assert refused.stdout == ""
    assert ("NOT_FOUND" in refused.stderr) or ("No queues bound" in refused.stderr)


def test_api_and_worker_boot_as_separate_processes_and_run_each_job_once(
    default_project: Path,
    redis_url: str,
    service_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    url = start_worker_and_api(supervisor, default_project, service_env)
    exercise(url, service_env, redis_url)
    use_celery_as_the_readme_shows(default_project, service_env, url)


def test_the_readmes_new_job_and_route_pass_lint_and_run_as_written(
    default_project: Path, service_env: dict[str, str], supervisor: ProcessSupervisor
) -> None:
    """'Add a job': the README's two modules, copied verbatim into the project, pass
    its lint (ruff, mypy --strict, the import contracts) and serve a job end to end;
    the README's Celery commands then see the service's worker and queues."""
    section = (default_project / "README.md").read_text().split("\n## Add a job\n", 1)[1]
    job, route = [block.split("\n```", 1)[0] for block in section.split("```python\n")[1:3]]
    [package] = (default_project / "src").iterdir()
    added = {
        package / "jobs" / "invoice.py": job,
        package / "api" / "routes" / "invoices.py": route,
    }
    try:
        for path, source in added.items():
            path.write_text(source + "\n")
        lint = subprocess.run(
            ["make", "lint"], cwd=default_project, capture_output=True, text=True, timeout=600
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
        url = start_worker_and_api(supervisor, default_project, service_env)
        accepted = httpx.post(f"{url}/invoices/7", timeout=5)
        assert accepted.status_code == 202, accepted.text
        client = httpx.Client(base_url=url, timeout=5)
        assert wait_for_success(client, accepted.headers["location"])["state"] == "SUCCESS"
        for command in re.findall(
            r"`(celery --app \S+ (?:status|inspect active_queues))`", section
        ):
            ran = run_snippet(default_project, "", service_env, shell=command)
            assert ran.returncode == 0, ran.stdout + ran.stderr
            assert (
                "1 node online" in ran.stdout
                or f"{service_env['QUEUE_PREFIX']}default" in ran.stdout
            )
    finally:
        for path in added:
            path.unlink(missing_ok=True)


def test_make_api_takes_its_port_from_dotenv(
    default_project: Path, service_env: dict[str, str], supervisor: ProcessSupervisor
) -> None:
    """The Procfile's shell reads API_PORT; `.env` reaches it as it reaches the settings."""
    port = free_port()
    dotenv = default_project / ".env"
    before = dotenv.read_text()
    dotenv.write_text(f"{before}\nAPI_PORT={port}\n")
    env = {name: value for name, value in service_env.items() if name != "API_PORT"}
    try:
        url = f"http://127.0.0.1:{port}"
        ready = http_ok(f"{url}/readyz")
        supervisor.start("api", ["make", "api"], env=env, cwd=default_project, ready=ready)
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    finally:
        dotenv.write_text(before)


def test_make_dev_runs_api_and_worker_with_one_command(
    default_project: Path,
    redis_url: str,
    service_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    start_make_target(supervisor, default_project, service_env, "dev")
    exercise(api_url(service_env), service_env, redis_url)


def test_every_option_boots_with_make_dev_on_rabbitmq_and_postgresql(
    rabbitmq_project: Path,
    redis_url: str,
    rabbitmq_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    dev = start_make_target(supervisor, rabbitmq_project, rabbitmq_env, "dev")
    for process in ("worker_low", "relay", "beat", "flower"):
        dev.wait_until(lambda p, name=process: f"{name}.1 " in p.output(), 60, f"running {process}")
    exercise(api_url(rabbitmq_env), rabbitmq_env, redis_url)
    use_celery_as_the_readme_shows(rabbitmq_project, rabbitmq_env, api_url(rabbitmq_env))
    flower = f"http://127.0.0.1:{rabbitmq_env['FLOWER_PORT']}"
    dev.wait_until(lambda _: _answers(f"{flower}/healthcheck"), 60, "serving Flower")
    assert httpx.get(f"{flower}/").status_code == 401


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


# Run inside the namespace, where the API is: a charge accepted and run to SUCCESS.
CHARGE_AND_WAIT = """
import sys, uuid, httpx
sys.path.insert(0, sys.argv[2])
from booting import wait_for_success
client = httpx.Client(base_url=sys.argv[1], timeout=5)
accepted = client.post(
    "/charges",
    json={"customer_id": "cus-1", "amount_cents": 100, "currency": "EUR"},
    headers={"Idempotency-Key": uuid.uuid4().hex},
).raise_for_status()
print(wait_for_success(client, accepted.headers["location"])["state"])
"""


def test_make_dev_starts_a_private_redis_where_none_runs_and_stops_it_on_ctrl_c(
    default_project: Path, service_env: dict[str, str], supervisor: ProcessSupervisor
) -> None:
    env = {name: value for name, value in service_env.items() if name not in SERVER_VARIABLES}
    with empty_network() as inside:
        dev = supervisor.start(
            "dev",
            [*inside, "make", "dev"],
            env=env,
            cwd=default_project,
            ready=log_matches(WORKER_READY),
            timeout=START_TIMEOUT,
        )
        dev.wait_until(log_matches("Application startup complete"), START_TIMEOUT, "serving")
        first_line = dev.output().splitlines()[0]
        assert first_line.startswith("Servers: a private Redis at redis://127.0.0.1:")
        charge = [*inside, sys.executable, "-c", CHARGE_AND_WAIT, api_url(env), str(TESTS)]
        ran = subprocess.run(charge, capture_output=True, text=True, timeout=90, check=False)
        assert ran.stdout.strip() == "SUCCESS", ran.stdout + ran.stderr

        dev.signal_group(signal.SIGINT)  # what Ctrl-C sends to the terminal's group
        deadline = time.monotonic() + 60
        while pids_in(inside) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not pids_in(inside), "make dev left processes running after Ctrl-C"
        # One line says so; no "Error 130" from make (make itself ends by the signal,
        # as Ctrl-C ends any command).
        assert dev.output().rstrip().endswith("Stopped (Ctrl-C): every process ended.")
        assert "Error 130" not in dev.output()


def test_make_dev_names_a_busy_port_and_who_holds_it_before_starting_anything(
    default_project: Path, service_env: dict[str, str], supervisor: ProcessSupervisor
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**service_env, "API_PORT": str(port)}
        dev = supervisor.start("dev", ["make", "dev"], env=env, cwd=default_project)
        assert dev.popen is not None
        assert dev.popen.wait(START_TIMEOUT) != 0
    lines = dev.output().splitlines()
    assert lines[0].startswith("Servers: ")
    this_test = Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    assert lines[1] == (
        f"port {port} (API_PORT, for api) is in use by pid {os.getpid()} ({this_test}): "
        "stop that, or set API_PORT to a free port in .env"
    )
    assert "Application startup" not in dev.output()
