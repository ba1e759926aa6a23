"""How stored task metadata becomes the job status the API shows."""

from durable_jobs._core.records import JobRecord
from durable_jobs._core.status import JobStatusReader

RECORD = JobRecord(
    id="j-1",
    name="reports.build",
    accepted_at="2026-01-01T00:00:00+00:00",
    request_id=None,
    payload={},
)


def test_progress_is_shown_while_running() -> None:
    status = JobStatusReader._status(RECORD, {"status": "PROGRESS", "result": {"percent": 40}})
    assert (status.state, status.progress) == ("PROGRESS", {"percent": 40})


def test_success_carries_the_result_pointer() -> None:
    pointer = {"uri": "file:///tmp/x.csv", "bytes": 10, "sha256": "ab"}
    status = JobStatusReader._status(RECORD, {"status": "SUCCESS", "result": pointer})
    assert status.result == pointer
    assert status.progress == {"percent": 100}


def test_failure_carries_the_error_without_importing_its_module() -> None:
    meta = {
        "status": "FAILURE",
        "retries": 5,
        "result": {
            "exc_type": "SMTPDataError",
            "exc_message": ["451", "try later"],
            "exc_module": "worker.not.importable",
        },
    }
    status = JobStatusReader._status(RECORD, meta)
    assert status.error is not None
    assert (status.error.type, status.error.message) == ("SMTPDataError", "451 try later")
    assert status.retries == 5


def test_unknown_to_celery_is_pending() -> None:
    assert JobStatusReader._status(RECORD, {"status": "PENDING"}).state == "PENDING"
