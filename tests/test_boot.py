"""Boot the rendered service as its README says and send it real jobs through real Redis."""

import uuid
from pathlib import Path

import httpx
import pytest
from booting import api_url, start_make_target, start_worker_and_api, wait_for_success
from databases import psql
from redis import Redis
from support.process_supervisor import ProcessSupervisor

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
    flower = f"http://127.0.0.1:{rabbitmq_env['FLOWER_PORT']}"
    dev.wait_until(lambda _: _answers(f"{flower}/healthcheck"), 60, "serving Flower")
    assert httpx.get(f"{flower}/").status_code == 401


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False
