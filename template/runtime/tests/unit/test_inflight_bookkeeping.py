"""The in-flight index costs a job no Redis round trip when none is needed: a sign of
life at start only for a job that waited long, successes written in batches."""

import time
from types import SimpleNamespace
from typing import Any

import pytest

from durable_jobs._core.sending import ENQUEUED_AT_HEADER
from durable_jobs._worker import ended_jobs, lost_jobs


class Records:
    def __init__(self, fail: bool = False) -> None:
        self.ended_ids: list[str] = []
        self.fail = fail

    def ended(self, *job_ids: str) -> None:
        if self.fail:
            raise ConnectionError("Redis is away")
        self.ended_ids.extend(job_ids)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    noted: list[str] = []
    monkeypatch.setattr(lost_jobs, "_note", lambda change, job_id: noted.append(str(job_id)))
    return noted


def task_published(seconds_ago: float | None, time_limit: int = 30) -> Any:
    headers = {} if seconds_ago is None else {ENQUEUED_AT_HEADER: time.time() - seconds_ago}
    return SimpleNamespace(request=SimpleNamespace(**headers), time_limit=time_limit)


def test_a_job_started_soon_after_it_was_published_writes_no_sign_of_life(
    notes: list[str],
) -> None:
    lost_jobs.note_started(task_id="fresh", task=task_published(1))
    assert notes == []


def test_a_job_that_waited_near_the_sweep_threshold_writes_one(notes: list[str]) -> None:
    threshold = lost_jobs._sweep_threshold()
    lost_jobs.note_started(task_id="waited", task=task_published(threshold - 10, time_limit=30))
    lost_jobs.note_started(task_id="unknown", task=task_published(None))
    assert notes == ["waited", "unknown"]


def test_successes_are_written_in_one_batch_and_kept_while_redis_is_away() -> None:
    ended_jobs._pending.update({"a", "b"})
    away = Records(fail=True)
    ended_jobs.flush(away)  # type: ignore[arg-type]
    assert ended_jobs._pending == {"a", "b"}

    back = Records()
    ended_jobs.flush(back)  # type: ignore[arg-type]
    assert sorted(back.ended_ids) == ["a", "b"]
    assert ended_jobs._pending == set()
