"""Flower runs against the real broker, only behind authentication."""

import subprocess
import sys
import time

import httpx2 as httpx
from conftest import FLOWER_PASSWORD, PROJECT_DIR, service_env, start_flower, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from redis import Redis
from support.service import ON_RABBITMQ, a_charge

from durable_jobs._core.records import JobRecords
from durable_jobs.testing.process_supervisor import ProcessSupervisor


def followed_to_success(url: str, auth: tuple[str, str], job_id: str) -> bool:
    """Whether Flower saw the job succeed (from task events) within 20 s."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        info = httpx.get(f"{url}/api/task/info/{job_id}", auth=auth, timeout=10)
        if info.status_code == 200 and info.json().get("state") == "SUCCESS":
            return True
        time.sleep(0.5)
    return False


def test_flower_needs_credentials_follows_jobs_and_shows_the_broker(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis
) -> None:
    worker = start_worker(supervisor, settings)
    url = start_flower(supervisor, settings)

    assert httpx.get(f"{url}/").status_code == 401
    auth = (settings.flower_user, FLOWER_PASSWORD)
    assert httpx.get(f"{url}/", auth=auth).status_code == 200
    workers = httpx.get(f"{url}/api/workers?refresh=1", auth=auth, timeout=10).json()
    # Ours is the worker consuming this test's queues (other runs may share the broker).
    consumed = [
        queue["name"] for info in workers.values() for queue in info.get("active_queues", [])
    ]
    assert any(name.startswith(settings.queue_prefix) for name in consumed), workers

    # A job applied from Flower is recorded like the API's, and Flower follows it once
    # it has turned the worker's task events on (a few seconds after it starts).
    worker.wait_until(
        lambda w: "Events of group {task} enabled by remote" in w.output(), 20, "task events on"
    )
    charge = a_charge("from-flower").model_dump()
    applied = httpx.post(
        f"{url}/api/task/async-apply/{CHARGE.name}", auth=auth, json={"args": [charge]}, timeout=10
    )
    assert applied.status_code == 200, applied.text
    job_id = applied.json()["task-id"]
    assert JobRecords.for_settings(settings).get(job_id) is not None
    assert followed_to_success(url, auth, job_id), httpx.get(f"{url}/api/tasks", auth=auth).text

    # The broker page and queue lengths know the broker by its URL's scheme.
    assert httpx.get(f"{url}/broker", auth=auth, timeout=10).status_code == 200
    lengths = httpx.get(f"{url}/api/queues/length", auth=auth, timeout=10)
    assert lengths.status_code == 200, lengths.text
    if ON_RABBITMQ:
        # RabbitMQ's queue lengths come from its management API: test_flower_on_rabbitmq.py.
        assert "active_queues" in lengths.json()
    else:
        listed = {queue["name"]: queue["messages"] for queue in lengths.json()["active_queues"]}
        assert set(consumed) <= set(listed), lengths.text


def test_flower_refuses_to_start_without_a_password(settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fixture_service.flower"],
        env=service_env(settings, FLOWER_PASSWORD="too-short"),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "FLOWER_PASSWORD is empty" in result.stderr
