"""Task functions called in-process against a real Redis: their side effects, once."""

import hashlib
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import run_tasks_here
from fixture_service.settings import Settings
from fixture_service.worker.app import app
from redis import Redis
from support.ledger import charged_keys
from support.service import without_database

# The registered tasks, called in this process as a shell or a test would.
charge = app.tasks["billing.charge"]
build_report = app.tasks["reports.build"]
send_welcome_email = app.tasks["email.welcome"]


@pytest.fixture(autouse=True)
def use_test_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings, redis: Redis) -> None:
    run_tasks_here(monkeypatch, settings)


def test_charging_twice_with_one_key_charges_once(redis: Redis, settings: Settings) -> None:
    key = f"order-{uuid.uuid4().hex}"
    payload = {
        "idempotency_key": key,
        "customer_id": "c",
        "amount_cents": 5,
        "currency": "EUR",
    }
    first = charge(payload)
    second = charge(payload)
    # Two jobs (two ids, as a client retrying its request makes) with the same key.
    third = charge.apply(args=(payload,), task_id=str(uuid.uuid4())).get()
    assert first == second == third
    assert charged_keys(redis, settings).count(key) == 1


@without_database
def test_welcome_email_is_written_once(settings: Settings) -> None:
    payload = {"user_id": 7, "email": "ann@example.com", "name": "Ann"}
    send_welcome_email(payload)
    send_welcome_email(payload)
    [message] = list(settings.mail_dir.glob("*.eml"))
    assert "ann@example.com" in message.read_text()


def test_report_returns_a_pointer_to_its_stored_output() -> None:
    pointer = build_report({"rows": 25, "seconds_per_step": 0})
    data = Path(urlparse(pointer["uri"]).path).read_bytes()
    assert data.count(b"\n") == 26
    assert pointer["sha256"] == hashlib.sha256(data).hexdigest()


def test_invalid_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="amount_cents"):
        charge(
            {
                "idempotency_key": "order-77-x",
                "customer_id": "c",
                "amount_cents": -1,
                "currency": "EUR",
            }
        )
