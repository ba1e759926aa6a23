"""The HTTP contract the runtime gives every service's routes (the fixture service's
here), with enqueueing recorded (durable_jobs.testing.record_jobs): no broker needed."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from fixture_service.api.app import create_app
from fixture_service.jobs.charge import CHARGE
from fixture_service.jobs.report import REPORT
from fixture_service.settings import Settings

from durable_jobs.testing import RecordingJobs, record_jobs


@pytest.fixture
def settings() -> Settings:
    return Settings(_env_file=None)


@pytest.fixture
def recorded(settings: Settings) -> Iterator[tuple[TestClient, RecordingJobs]]:
    app = create_app(settings)
    jobs = record_jobs(app)
    with TestClient(app) as client:
        yield client, jobs


@pytest.fixture
def client(recorded: tuple[TestClient, RecordingJobs]) -> TestClient:
    return recorded[0]


@pytest.fixture
def jobs(recorded: tuple[TestClient, RecordingJobs]) -> RecordingJobs:
    return recorded[1]


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/reports", content=b'{"rows": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_charge_is_accepted_with_its_idempotency_key(
    client: TestClient, jobs: RecordingJobs
) -> None:
    response = client.post(
        "/charges",
        json={"customer_id": "c-1", "amount_cents": 1999, "currency": "EUR"},
        headers={"Idempotency-Key": "order-1234"},
    )
    assert response.status_code == 202
    assert response.headers["location"] == response.json()["status_url"]
    [sent] = jobs.sent
    assert sent.name == CHARGE.name
    assert sent.payload.model_dump()["idempotency_key"] == "order-1234"


def test_charge_without_idempotency_key_is_422_naming_the_header(client: TestClient) -> None:
    response = client.post(
        "/charges", json={"customer_id": "c-1", "amount_cents": 1999, "currency": "EUR"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


@pytest.mark.parametrize(
    "body",
    [
        {"customer_id": "c-1", "amount_cents": 0, "currency": "EUR"},
        {"customer_id": "c-1", "amount_cents": 100, "currency": "euro"},
        {"customer_id": "c-1", "amount_cents": 100, "currency": "EUR", "extra": 1},
    ],
)
def test_invalid_charge_is_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/charges", json=body, headers={"Idempotency-Key": "order-1234"})
    assert response.status_code == 422


def test_report_is_accepted(client: TestClient, jobs: RecordingJobs) -> None:
    response = client.post("/reports", json={"rows": 50})
    assert response.status_code == 202
    assert jobs.sent[0].name == REPORT.name


def test_request_id_is_returned_and_travels_with_the_job(
    client: TestClient, jobs: RecordingJobs
) -> None:
    response = client.post("/reports", json={}, headers={"X-Request-ID": "req-42"})
    assert response.headers["x-request-id"] == "req-42"
    assert jobs.sent[0].request_id == "req-42"


def test_unusable_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert response.headers["x-request-id"] != "bad id with spaces"


def test_job_id_that_is_not_a_uuid_is_422(client: TestClient) -> None:
    assert client.get("/jobs/not-a-uuid").status_code == 422


def test_healthz_answers_without_a_broker(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_body_over_the_size_limit_is_413(client: TestClient, settings: Settings) -> None:
    body = b'{"rows": 1, "pad": "' + b"x" * settings.max_request_bytes + b'"}'
    response = client.post("/reports", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert str(settings.max_request_bytes) in response.json()["detail"]


def test_streamed_body_over_the_size_limit_is_413(client: TestClient, settings: Settings) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(settings.max_request_bytes // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


# A charge whose amount is the given JSON text.
AMOUNT = b'{"customer_id": "c", "amount_cents": %s, "currency": "EUR"}'


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/reports", b'{"seconds_per_step": NaN}', "seconds_per_step"),
        ("/reports", b'{"rows": Infinity}', "rows"),
        ("/reports", b'{"rows": 1, "extra": -Infinity}', "extra"),
        ("/reports", b'{"rows": 1000, "seconds_per_step": false}', "seconds_per_step"),
        ("/reports", b'{"rows": true}', "rows"),
        ("/charges", AMOUNT % b"NaN", "amount_cents"),
        ("/charges", AMOUNT % b"true", "amount_cents"),
        ("/charges", AMOUNT % b'"100"', "amount_cents"),
        ("/charges", AMOUNT % b"1.5", "amount_cents"),
        ("/charges", AMOUNT % b"1e400", "amount_cents"),
        ("/charges", AMOUNT % b"1e12", "amount_cents"),
    ],
)
def test_non_numbers_and_non_finite_numbers_are_refused_with_a_422_naming_the_field(
    client: TestClient, jobs: RecordingJobs, path: str, body: bytes, field: str
) -> None:
    response = client.post(
        path,
        content=body,
        headers={"Content-Type": "application/json", "Idempotency-Key": "key-12345678"},
    )
    assert response.status_code == 422, response.text
    assert [error["loc"][-1] for error in response.json()["detail"]] == [field]
    assert jobs.sent == []


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (AMOUNT.replace(b'"c"', b'"\xff"') % b"1", "application/json"),
        (b"\xfe\xff", "application/json"),
        (b"amount_cents=1", "application/x-www-form-urlencoded"),
        (b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x"),
        (b"not json", "text/plain"),
    ],
)
def test_bodies_that_are_not_json_get_the_documented_422(
    client: TestClient, jobs: RecordingJobs, body: bytes, content_type: str
) -> None:
    response = client.post(
        "/charges",
        content=body,
        headers={"Content-Type": content_type, "Idempotency-Key": "key-12345678"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert jobs.sent == []
    documented = client.get("/openapi.json").json()["paths"]["/charges"]["post"]["responses"]
    assert {"408", "413", "422", "431"} <= set(documented)


def test_a_whole_number_sent_as_a_float_is_the_integer_the_schema_allows(
    client: TestClient, jobs: RecordingJobs
) -> None:
    # JSON Schema's "integer" (what the OpenAPI says) includes 2182.0.
    response = client.post(
        "/charges",
        content=AMOUNT % b"2182.0",
        headers={"Content-Type": "application/json", "Idempotency-Key": "key-12345678"},
    )
    assert response.status_code == 202, response.text
    [sent] = jobs.sent
    amount = sent.payload.model_dump()["amount_cents"]
    assert amount == 2182
    assert type(amount) is int
