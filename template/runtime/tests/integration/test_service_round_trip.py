"""The service as it runs: the API and a worker as separate processes, real Redis."""

import re
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import httpx2 as httpx
import pytest
from conftest import RunningService
from support.ledger import charged_keys
from support.service import WITH_DATABASE, with_database

from durable_jobs._core.records import JobRecords
from durable_jobs.testing import wait_for_final


@pytest.fixture
def client(service: RunningService) -> httpx.Client:
    return httpx.Client(base_url=service.url, timeout=5)


@with_database
def test_signup_through_the_outbox_sends_the_welcome_email_once(
    client: httpx.Client, service: RunningService
) -> None:
    # The database extra's: a service without a database runs the other tests here.
    from fixture_service.db.models import User  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415
    from sqlalchemy.orm import Session  # noqa: PLC0415

    from durable_jobs._core.outbox import OutboxMessage  # noqa: PLC0415
    from durable_jobs.database import sync_engine  # noqa: PLC0415

    email = f"ann-{uuid.uuid4().hex}@example.com"
    response = client.post("/signup", json={"email": email, "name": "Ann"})
    assert response.status_code == 201
    body = response.json()
    assert wait_for_final(client, body["welcome_email"]["id"])[-1]["state"] == "SUCCESS"
    mail = list(service.settings.mail_dir.glob(f"welcome-{body['user_id']}.eml"))
    assert len(mail) == 1
    # The relay marked the job sent; the task recorded the e-mail on the user.
    engine = sync_engine(service.settings)
    with Session(engine) as session:
        job_id = body["welcome_email"]["id"]
        sent = session.scalar(select(OutboxMessage.sent_at).where(OutboxMessage.job_id == job_id))
        user = session.get(User, body["user_id"])
        assert sent is not None
        assert user is not None
        assert user.welcomed_at is not None
    engine.dispose()
    relay_metrics = httpx.get(service.metrics_urls["relay"]).text
    assert re.search(r"^outbox_relayed_total [1-9]", relay_metrics, re.M)
    assert "outbox_pending_jobs" in relay_metrics


def test_charge_sent_twice_with_one_key_charges_once(
    client: httpx.Client, service: RunningService
) -> None:
    key = f"order-{uuid.uuid4().hex}"
    body = {"customer_id": "c-1", "amount_cents": 1999, "currency": "EUR"}
    ids = [
        client.post("/charges", json=body, headers={"Idempotency-Key": key}).json()["id"]
        for _ in range(2)
    ]
    results = [wait_for_final(client, job_id)[-1] for job_id in ids]
    assert [result["state"] for result in results] == ["SUCCESS", "SUCCESS"]
    assert results[0]["result"] == results[1]["result"]
    assert charged_keys(service.redis, service.settings).count(key) == 1


def test_report_shows_progress_and_points_to_its_output(client: httpx.Client) -> None:
    response = client.post("/reports", json={"rows": 200, "seconds_per_step": 0.1})
    assert response.status_code == 202
    seen = wait_for_final(client, response.json()["id"])
    percents = [status["progress"]["percent"] for status in seen if status["state"] == "PROGRESS"]
    assert percents
    assert 0 < min(percents) < 100
    final = seen[-1]
    assert final["state"] == "SUCCESS"
    assert Path(urlparse(final["result"]["uri"]).path).stat().st_size == final["result"]["bytes"]


def test_unknown_job_is_404(client: httpx.Client) -> None:
    response = client.get(f"/jobs/{uuid.uuid4()}")
    assert response.status_code == 404
    assert "was accepted" in response.json()["detail"]


def test_ready_when_broker_answers(client: httpx.Client) -> None:
    expected = {"status": "ready", "broker": "ok", "store": "ok"}
    if WITH_DATABASE:
        expected["database"] = "ok"
    assert client.get("/readyz").json() == expected


def test_a_job_leaves_the_in_flight_index_soon_after_it_succeeds(
    client: httpx.Client, service: RunningService
) -> None:
    response = client.post("/reports", json={"rows": 10, "seconds_per_step": 0})
    job_id = response.json()["id"]
    assert wait_for_final(client, job_id)[-1]["state"] == "SUCCESS"
    records = JobRecords.for_settings(service.settings)
    deadline = time.monotonic() + 5
    # Everything in the index, however recent: no job is silent for -1 hour.
    while job_id in records.silent_since(-3600, limit=10_000):
        assert time.monotonic() < deadline, "the job is still in the in-flight index"
        time.sleep(0.05)
