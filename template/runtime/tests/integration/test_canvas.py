"""Celery's canvas with jobs, on real workers: a group, a chord (Celery's own callback
or a job), a chain whose next job takes the previous one's result as its payload, and
a link. Every job of a workflow is recorded and read like any other; a step whose
payload does not validate fails for good, with a dead letter, and stops its chain."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery import chain, chord, group
from celery.canvas import Signature
from conftest import clean_up, make_settings, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.jobs.receipt import CHARGE_FAILED, RECEIPT, SETTLEMENT
from fixture_service.settings import Settings
from support.service import SERVICE_JOBS, a_charge, wait_for_dead_letter

from durable_jobs import InvalidPayload, JobClient
from durable_jobs._core.status import JobStatus, JobStatusReader
from durable_jobs.testing.process_supervisor import ManagedProcess, ProcessSupervisor

WAIT = 30


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = make_settings(tmp_path_factory.mktemp("canvas"))
    yield settings
    clean_up(settings)


@pytest.fixture(scope="module")
def worker(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ManagedProcess]:
    supervisor = ProcessSupervisor(tmp_path_factory.mktemp("logs"))
    yield start_worker(supervisor, settings)
    supervisor.stop_all()


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[JobClient]:
    jobs = JobClient(settings, SERVICE_JOBS)
    yield jobs
    jobs.close()


def step(client: JobClient, name: str, *args: Any, immutable: bool = False) -> Signature:
    """A job's signature on the service's app, by name: the API and a script have no
    worker's tasks, only their names and routes."""
    return client.celery.signature(name, args=args, immutable=immutable)


def charge_payload(label: str) -> dict[str, Any]:
    return a_charge(label).model_dump()


def final(client: JobClient, job_id: str) -> JobStatus:
    """What `/jobs/{id}` answers for a job of a workflow once it has ended."""
    reader = JobStatusReader(client.celery, client.records)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        status = reader.read(job_id)
        if status is not None and status.state in {"SUCCESS", "FAILURE"}:
            return status
        time.sleep(0.1)
    pytest.fail(f"job {job_id} did not end within {WAIT} s: {reader.read(job_id)}")


def test_a_group_of_jobs_returns_each_result_in_order(
    worker: ManagedProcess, client: JobClient
) -> None:
    payloads = [charge_payload(f"group-{n}") for n in range(3)]

    results: Any = group(step(client, CHARGE.name, p) for p in payloads).apply_async()
    receipts = results.get(timeout=WAIT)

    assert [r["idempotency_key"] for r in receipts] == [p["idempotency_key"] for p in payloads]
    for child in results.children or []:
        assert final(client, child.id).state == "SUCCESS"


def test_a_chord_of_jobs_calls_celerys_own_callback(
    worker: ManagedProcess, client: JobClient
) -> None:
    payloads = [charge_payload(f"chord-{n}") for n in range(3)]
    callback = client.celery.signature("celery.accumulate")

    # `celery.accumulate` returns its arguments: the header's results, as one list.
    [receipts] = chord(step(client, CHARGE.name, p) for p in payloads)(callback).get(timeout=WAIT)

    assert [r["idempotency_key"] for r in receipts] == [p["idempotency_key"] for p in payloads]


def test_a_job_as_a_chords_callback_takes_the_headers_results_as_its_payload(
    worker: ManagedProcess, client: JobClient
) -> None:
    amounts = [(1, "EUR"), (2, "EUR"), (4, "USD")]
    header = [
        step(client, CHARGE.name, {**charge_payload("settle"), "amount_cents": a, "currency": c})
        for a, c in amounts
    ]

    settled = chord(header)(step(client, SETTLEMENT.name))

    assert settled.get(timeout=WAIT) == {"EUR": 3, "USD": 4}
    status = final(client, settled.id)
    assert status.state == "SUCCESS"
    record = client.records.get(settled.id)
    assert record is not None
    assert [r["amount_cents"] for r in record.payload] == [1, 2, 4]


def test_a_chain_passes_each_jobs_result_on_as_the_next_jobs_payload(
    worker: ManagedProcess, client: JobClient
) -> None:
    charged = charge_payload("chain")

    receipt: Any = chain(
        step(client, CHARGE.name, charged), step(client, RECEIPT.name)
    ).apply_async()

    written = receipt.get(timeout=WAIT)
    charge_id = receipt.parent.id if receipt.parent else ""
    assert written["charged_by_job"] == charge_id
    assert written["receipt"].endswith(f"/receipts/{charged['idempotency_key']}.txt")
    assert final(client, charge_id).state == "SUCCESS"
    assert final(client, receipt.id).state == "SUCCESS"
    record = client.records.get(receipt.id)
    assert record is not None
    assert record.payload["charged_by_job"] == charge_id


def test_a_chain_of_immutable_steps_runs_them_in_order(
    worker: ManagedProcess, client: JobClient
) -> None:
    first, second = charge_payload("immutable-1"), charge_payload("immutable-2")

    last: Any = chain(
        step(client, CHARGE.name, first, immutable=True),
        step(client, CHARGE.name, second, immutable=True),
    ).apply_async()

    assert last.get(timeout=WAIT)["idempotency_key"] == second["idempotency_key"]
    earlier = last.parent
    assert earlier is not None
    assert final(client, earlier.id).state == "SUCCESS"


def test_a_step_whose_payload_does_not_validate_fails_for_good_and_stops_its_chain(
    worker: ManagedProcess, client: JobClient, settings: Settings
) -> None:
    # A receipt is no list of receipts: the settlement refuses it, without a retry.
    settled: Any = chain(
        step(client, CHARGE.name, charge_payload("mismatch")),
        step(client, SETTLEMENT.name),
        step(client, RECEIPT.name),
    ).apply_async()

    with pytest.raises(
        InvalidPayload, match=r"billing\.settlement: the payload is not a valid Receipts"
    ):
        settled.get(timeout=WAIT)
    refused = settled.parent
    assert refused is not None
    status = final(client, refused.id)
    assert status.state == "FAILURE"
    assert status.error is not None
    assert status.error.type == "InvalidPayload"
    assert "the payload is not a valid Receipts" in status.error.message
    letter = wait_for_dead_letter(settings, refused.id)
    assert letter.retries == 0
    assert client.records.get(settled.id) is None  # the step after it was never sent


def test_a_linked_job_runs_after_the_job_with_its_result(
    worker: ManagedProcess, client: JobClient
) -> None:
    charged = charge_payload("link")

    sent: Any = step(client, CHARGE.name, charged).apply_async(link=step(client, RECEIPT.name))

    assert sent.get(timeout=WAIT)["idempotency_key"] == charged["idempotency_key"]
    [linked] = sent.children or [None]
    assert linked is not None
    assert final(client, linked.id).state == "SUCCESS"


def test_an_error_callback_job_takes_the_failed_jobs_id_as_its_payload(
    worker: ManagedProcess, client: JobClient, settings: Settings
) -> None:
    refused = {**charge_payload("link-error"), "amount_cents": -1}

    sent: Any = step(client, CHARGE.name, refused).apply_async(
        link_error=step(client, CHARGE_FAILED.name)
    )

    assert final(client, sent.id).state == "FAILURE"
    noted = settings.storage_dir / "failed-charges" / f"{sent.id}.txt"
    worker.wait_until(lambda _: noted.exists(), WAIT, "running the error callback job")
    assert noted.read_text() == f"{sent.id}\n"
