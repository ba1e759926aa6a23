"""What operators see while the service runs: the request's id in the worker's log
lines for its job, and metrics that move when jobs run."""

import json
import uuid
from typing import Any

import httpx2 as httpx
import pytest
from conftest import RunningService
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from prometheus_client.parser import text_string_to_metric_families

from durable_jobs._core.queues import routed_queue, service_queues
from durable_jobs.testing.polling import wait_for_final

CHARGE_BODY = {"customer_id": "cus-observed", "amount_cents": 700, "currency": "EUR"}


@pytest.fixture
def client(service: RunningService) -> httpx.Client:
    return httpx.Client(base_url=service.url, timeout=5)


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue  # Celery's start-up banner is not a log line
    return [line for line in lines if isinstance(line, dict)]


def scrape(url: str) -> list[tuple[str, dict[str, str], float]]:
    text = httpx.get(url, timeout=5).raise_for_status().text
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(samples: list[tuple[str, dict[str, str], float]], name: str, **labels: str) -> float:
    return sum(
        v
        for n, lbls, v in samples
        if n == name and all(lbls.get(k) == w for k, w in labels.items())
    )


def charge(client: httpx.Client, **headers: str) -> str:
    headers = {"Idempotency-Key": uuid.uuid4().hex, **headers}
    accepted = client.post("/charges", json=CHARGE_BODY, headers=headers)
    assert accepted.status_code == 202, accepted.text
    job_id: str = accepted.json()["id"]
    assert wait_for_final(client, job_id)[-1]["state"] == "SUCCESS"
    return job_id


def test_the_request_id_follows_the_job_into_the_worker_log(
    client: httpx.Client, service: RunningService
) -> None:
    request_id = f"trace-{uuid.uuid4().hex}"
    job_id = charge(client, **{"X-Request-ID": request_id})

    worker = next(p for p in service.supervisor.processes if p.name.startswith("worker"))
    ours = [
        line
        for line in json_lines(worker.output(since_start=False))
        if line.get("request_id") == request_id
    ]
    assert {"task started", "task succeeded"} <= {line["event"] for line in ours}
    assert {line["task_id"] for line in ours} == {job_id}
    assert {line["task_name"] for line in ours} == {CHARGE.name}
    started = next(line for line in ours if line["event"] == "task started")
    # Sent over HTTP to an idle worker: it starts at once. (The RabbitMQ publisher once
    # sent the enqueued-at header as a 32-bit float: waits were off by up to 64 s.)
    assert 0 <= started["queue_wait_s"] < 1.0
    succeeded = next(line for line in ours if line["event"] == "task succeeded")
    assert succeeded["runtime_s"] >= 0
    assert succeeded["retries"] == 0
    assert succeeded["queue"].endswith(routed_queue(Settings(), CHARGE.queue))

    api = next(p for p in service.supervisor.processes if p.name == "api")
    requests = [
        line
        for line in json_lines(api.output(since_start=False))
        if line.get("request_id") == request_id
    ]
    assert [(line["event"], line["route"], line["status"]) for line in requests] == [
        ("request", "/charges", 202)
    ]


def test_no_job_data_reaches_the_worker_log(client: httpx.Client, service: RunningService) -> None:
    charge(client)
    worker = next(p for p in service.supervisor.processes if p.name.startswith("worker"))
    log = worker.output(since_start=False)
    # Celery's own success line is there, without the receipt it would print.
    assert "succeeded in" in log
    assert "(hidden; LOG_TASK_RESULTS=true shows it)" in log
    assert str(CHARGE_BODY["customer_id"]) not in log


def test_api_and_worker_metrics_count_the_jobs_that_ran(
    client: httpx.Client, service: RunningService
) -> None:
    worker_url = next(url for name, url in service.metrics_urls.items() if name == "worker")
    api_before, worker_before = scrape(f"{service.url}/metrics"), scrape(worker_url)

    charge(client)

    api_after, worker_after = scrape(f"{service.url}/metrics"), scrape(worker_url)

    def grew(before: Any, after: Any, name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew(api_before, api_after, "http_requests_total", route="/charges", status="202") == 1
    assert grew(api_before, api_after, "jobs_enqueued_total", job=CHARGE.name) == 1
    assert grew(api_before, api_after, "job_enqueue_duration_seconds_count", job=CHARGE.name) == 1
    for name in (
        "celery_tasks_started_total",
        "celery_tasks_succeeded_total",
        "celery_task_runtime_seconds_count",
        "celery_task_queue_wait_seconds_count",
    ):
        assert grew(worker_before, worker_after, name, task=CHARGE.name) == 1, name
    waited = grew(
        worker_before, worker_after, "celery_task_queue_wait_seconds_sum", task=CHARGE.name
    )
    assert 0 <= waited < 1.0
    queues = {labels["queue"] for name, labels, _ in worker_after if name == "celery_queue_length"}
    assert queues == set(service_queues(Settings()))
