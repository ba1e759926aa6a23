"""Boot the rendered service as its README says and send it real jobs through real Redis."""

import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from booting import api_url, start_make_target, start_worker_and_api
from conftest import project_env, unique_prefix
from redis import Redis
from support.process_supervisor import ProcessSupervisor, free_port

pytestmark = pytest.mark.boot


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


@pytest.fixture
def service_env(tmp_path: Path, redis_url: str) -> Any:
    env = project_env(
        REDIS_URL=redis_url,
        KEY_PREFIX=unique_prefix(),
        API_PORT=str(free_port()),
        STORAGE_DIR=str(tmp_path / "storage"),
        MAIL_DIR=str(tmp_path / "mail"),
        DATABASE_PATH=str(tmp_path / "app.sqlite3"),
    )
    yield env
    redis = Redis.from_url(redis_url)
    keys = list(redis.scan_iter(f"{env['KEY_PREFIX']}*"))
    if keys:
        redis.delete(*keys)


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
    ledger = Redis.from_url(redis_url).lrange(f"{env['KEY_PREFIX']}ledger:charges", 0, -1)
    assert sum(key.encode() in entry for entry in ledger) == 1


def test_api_and_worker_boot_as_separate_processes_and_run_each_job_once(
    default_project: Path,
    redis_url: str,
    service_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    url = start_worker_and_api(supervisor, default_project, service_env)
    exercise(url, service_env, redis_url)


def test_make_dev_runs_api_and_worker_with_one_command(
    default_project: Path,
    redis_url: str,
    service_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    start_make_target(supervisor, default_project, service_env, "dev")
    exercise(api_url(service_env), service_env, redis_url)
