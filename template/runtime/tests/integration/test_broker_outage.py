"""With the broker down or hanging, enqueueing fails fast with 503, never hangs or 500s."""

import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from fixture_service.api.app import create_app
from fixture_service.settings import Settings

from durable_jobs._core.broker_options import is_redis
from durable_jobs.testing.process_supervisor import free_port

CHARGE = {"customer_id": "c-1", "amount_cents": 100, "currency": "EUR"}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers, like a hung broker."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield int(listener.getsockname()[1])


@pytest.fixture(params=["refused", "silent"])
def dead_port(request: pytest.FixtureRequest, silent_port: int) -> int:
    return free_port() if request.param == "refused" else silent_port


@pytest.fixture
def broker_down(settings: Settings, dead_port: int) -> Settings:
    """These settings with the broker unreachable (on Redis, the job store too)."""
    if is_redis(settings.effective_broker_url):
        return settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{dead_port}/0"})
    return settings.model_copy(update={"broker_url": f"amqp://guest:guest@127.0.0.1:{dead_port}//"})


@pytest.fixture
def store_down(settings: Settings, dead_port: int) -> Settings:
    return settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{dead_port}/0"})


def test_enqueue_answers_503_with_retry_after_within_a_second(
    broker_down: Settings, dead_port: int
) -> None:
    dead = broker_down
    with TestClient(create_app(dead), raise_server_exceptions=False) as client:
        for _ in range(3):
            started = time.monotonic()
            response = client.post(
                "/charges", json=CHARGE, headers={"Idempotency-Key": "order-9999"}
            )
            elapsed = time.monotonic() - started
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == str(dead.retry_after)
            assert "nothing was enqueued" in response.json()["detail"]
            # Broker internals (its address, the client's error) stay in the logs.
            assert "127.0.0.1" not in response.text
            assert str(dead_port) not in response.text
            assert elapsed < 1.0, f"took {elapsed:.2f} s"


def test_readiness_reports_the_outage(broker_down: Settings) -> None:
    with TestClient(create_app(broker_down), raise_server_exceptions=False) as client:
        started = time.monotonic()
        response = client.get("/readyz")
        assert time.monotonic() - started < 2.0
        assert response.status_code == 503
        assert response.json()["broker"] == "unreachable"


def test_job_status_with_store_down_is_503(store_down: Settings) -> None:
    with TestClient(create_app(store_down), raise_server_exceptions=False) as client:
        response = client.get("/jobs/00000000-0000-4000-8000-000000000001")
        assert response.status_code == 503
        assert "retry-after" in response.headers
