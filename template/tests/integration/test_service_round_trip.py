"""The service as it runs: the API and a worker as separate processes, real Redis."""

import uuid
from pathlib import Path
from urllib.parse import urlparse

import httpx2 as httpx
import pytest
from conftest import RunningService
from support.polling import wait_for_final


@pytest.fixture
def client(service: RunningService) -> httpx.Client:
    return httpx.Client(base_url=service.url, timeout=5)


def test_signup_sends_the_welcome_email_once(client: httpx.Client, service: RunningService) -> None:
    response = client.post("/signup", json={"email": "ann@example.com", "name": "Ann"})
    assert response.status_code == 201
    body = response.json()
    assert wait_for_final(client, body["welcome_email"]["id"])[-1]["state"] == "SUCCESS"
    mail = list(service.settings.mail_dir.glob(f"welcome-{body['user_id']}.eml"))
    assert len(mail) == 1


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
    ledger = service.redis.lrange(f"{service.settings.key_prefix}ledger:charges", 0, -1)
    assert sum(key in str(entry) for entry in ledger) == 1


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
    assert client.get("/readyz").json() == {"status": "ready", "broker": "ok", "store": "ok"}
