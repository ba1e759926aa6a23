"""A job that fails for good becomes a dead letter: listed with its error and request
id behind the admin token, and sent back to its queue on request."""

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from chaos_tasks import ALWAYS_FAILS, Nothing
from conftest import ADMIN_TOKEN, start_api, start_chaos_worker
from fixture_service.settings import Settings
from pydantic import SecretStr
from redis import Redis
from support.service import SERVICE_JOBS

from durable_jobs import JobClient
from durable_jobs.testing.process_supervisor import ProcessSupervisor

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def jobs(settings: Settings, redis: Redis) -> Iterator[JobClient]:
    client = JobClient(settings, SERVICE_JOBS)
    yield client
    client.close()


def dead_letter(client: httpx.Client, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        letters = client.get("/admin/dead-letters", headers=ADMIN).raise_for_status().json()
        found = [letter for letter in letters if letter["job_id"] == job_id]
        if found:
            return dict(found[0])
        time.sleep(0.2)
    pytest.fail(f"job {job_id} never became a dead letter")


def test_a_job_that_always_fails_is_kept_with_its_error_and_can_be_sent_again(
    supervisor: ProcessSupervisor, settings: Settings, jobs: JobClient
) -> None:
    start_chaos_worker(supervisor, settings)
    client = httpx.Client(base_url=start_api(supervisor, settings), timeout=5)
    job_id = jobs.publish(ALWAYS_FAILS, Nothing(), request_id="req-dead-letter").id

    letter = dead_letter(client, job_id)
    assert letter["task"] == ALWAYS_FAILS.name
    assert letter["exception"] == "ConnectionError"
    assert letter["message"] == "the upstream is down (on purpose)"
    assert letter["retries"] == ALWAYS_FAILS.spec.max_retries
    assert letter["request_id"] == "req-dead-letter"
    assert letter["payload"] == {}
    assert "raise ConnectionError" in letter["traceback"]
    assert client.get(f"/jobs/{job_id}").json()["state"] == "FAILURE"

    requeued = client.post(f"/admin/dead-letters/{job_id}/requeue", headers=ADMIN)
    assert requeued.status_code == 202, requeued.text
    assert requeued.headers["location"] == f"/jobs/{job_id}"
    assert client.get(f"/jobs/{job_id}").json()["state"] != "FAILURE"
    # It runs again, exhausts its retries again, and is back among the dead letters.
    assert dead_letter(client, job_id)["failed_at"] > letter["failed_at"]
    unknown = client.post(f"/admin/dead-letters/{uuid.uuid4()}/requeue", headers=ADMIN)
    assert unknown.status_code == 404, unknown.text
    malformed = client.post(f"/admin/dead-letters/{job_id}-x/requeue", headers=ADMIN)
    assert malformed.status_code == 422


def test_admin_routes_refuse_a_missing_or_wrong_token(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis
) -> None:
    client = httpx.Client(base_url=start_api(supervisor, settings), timeout=5)
    missing = client.get("/admin/dead-letters")
    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["detail"]
    wrong = client.get("/admin/dead-letters", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    other_scheme = client.get("/admin/dead-letters", headers={"Authorization": ADMIN_TOKEN})
    assert other_scheme.status_code == 401
    assert client.get("/admin/dead-letters", headers=ADMIN).json() == []
    # The scheme is case-insensitive; the token is not.
    lower = client.get("/admin/dead-letters", headers={"Authorization": f"bearer {ADMIN_TOKEN}"})
    assert lower.status_code == 200, lower.text
    shouted = {"Authorization": f"BEARER {ADMIN_TOKEN.upper()}"}
    assert client.get("/admin/dead-letters", headers=shouted).status_code == 401


def test_admin_routes_do_not_exist_without_a_token(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis
) -> None:
    no_admin = settings.model_copy(update={"admin_token": SecretStr("")})
    client = httpx.Client(base_url=start_api(supervisor, no_admin), timeout=5)
    assert client.get("/admin/dead-letters", headers=ADMIN).status_code == 404
