"""Publishing jobs and watching them from a test, through the service's own jobs core."""

import re
import time
from typing import Any

from fixture_service.settings import Settings
from pydantic import BaseModel
from redis import Redis
from support.service import SERVICE_JOBS, waiting

from durable_jobs import Job, JobClient, JobSpec
from durable_jobs._core.broker_options import is_redis
from durable_jobs._core.redis_client import sync_redis
from durable_jobs._core.status import JobStatus, JobStatusReader
from durable_jobs.testing.process_supervisor import ManagedProcess

FINAL = {"SUCCESS", "FAILURE"}
UNKNOWN = "UNKNOWN"
REPUBLISHED = re.compile(r"republished job (\S+)")


class Jobs:
    def __init__(self, settings: Settings) -> None:
        self.client = JobClient(settings, SERVICE_JOBS)
        self.reader = JobStatusReader(self.client.celery, self.client.records)

    def publish(self, spec: Job[Any] | JobSpec[Any], payload: BaseModel) -> str:
        return self.client.publish(spec, payload).id

    def status(self, job_id: str) -> JobStatus:
        status = self.reader.read(job_id)
        assert status is not None, f"job {job_id} was never accepted"
        return status

    def wait_until_final(self, job_id: str, timeout: float) -> JobStatus:
        deadline = time.monotonic() + timeout
        status = self.status(job_id)
        while status.state not in FINAL and time.monotonic() < deadline:
            time.sleep(0.1)
            status = self.status(job_id)
        assert status.state in FINAL, f"job {job_id} still {status.state} after {timeout} s"
        return status

    def wait_until_all_final(self, job_ids: list[str], timeout: float) -> set[str]:
        """The states the jobs ended in. A side effect can be committed before its job
        ends (a worker killed between the two): the job ends after its redelivery."""
        deadline = time.monotonic() + timeout
        waiting = set(job_ids)
        while waiting and time.monotonic() < deadline:
            # An accepted job's record was written before its 202: UNKNOWN is lost.
            waiting = {job_id for job_id in waiting if self.state(job_id) not in FINAL | {UNKNOWN}}
            if waiting:
                time.sleep(0.2)
        return {self.state(job_id) for job_id in job_ids}

    def not_succeeded(self, job_ids: list[str], shown: int = 10) -> dict[str, str]:
        """Some of the jobs that did not succeed (and are not UNKNOWN), with their state
        and error: what a failed assertion on the final states shows."""
        found = {}
        for job_id in job_ids:
            status = self.reader.read(job_id)
            if status is None or status.state == "SUCCESS":
                continue
            error = f": {status.error.type}: {status.error.message}" if status.error else ""
            found[job_id] = f"{status.state}{error}"[:300]
            if len(found) == shown:
                break
        return found

    def state(self, job_id: str) -> str:
        """The job's state; UNKNOWN when its record is gone (lost with a Redis master
        that died before a replica had it)."""
        status = self.reader.read(job_id)
        return UNKNOWN if status is None else status.state

    def close(self) -> None:
        self.client.close()


def _marked(redis: Redis, settings: Settings, name: str, job_id: str) -> list[list[int]]:
    entries = redis.lrange(f"{settings.key_prefix}chaos:{name}:{job_id}", 0, -1)
    return [[int(field) for field in entry.split()] for entry in entries]


def marks(redis: Redis, settings: Settings, name: str, job_id: str) -> list[int]:
    """Pids that recorded `name` for a job (see chaos_tasks.mark)."""
    return [pid for pid, _ in _marked(redis, settings, name, job_id)]


def retries_marked(redis: Redis, settings: Settings, name: str, job_id: str) -> list[int]:
    """The retry count of each delivery that recorded `name` for a job."""
    return [retries for _, retries in _marked(redis, settings, name, job_id)]


def wait_for_marks(
    redis: Redis, settings: Settings, name: str, job_id: str, *, count: int = 1, timeout: float = 20
) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = marks(redis, settings, name, job_id)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not record {name!r} {count} times in {timeout} s")


def republished(*workers: ManagedProcess) -> list[str]:
    """Jobs the lost-job sweep published again, from the workers' logs (every start)."""
    return [
        match.group(1)
        for worker in workers
        for match in REPUBLISHED.finditer(worker.output(since_start=False))
    ]


def in_flight(jobs: Jobs, settings: Settings) -> int:
    """Messages still on the broker: waiting in a queue or (Redis) delivered, unacked."""
    queued = waiting(jobs.client.celery, settings)
    if not is_redis(settings.effective_broker_url):
        return queued  # RabbitMQ requeues a closed connection's unacked messages
    redis = sync_redis(
        settings.effective_broker_url,
        master_name=settings.redis_master_name,
        timeout=settings.broker_socket_timeout,
    )
    try:
        return queued + int(redis.hlen(f"{settings.key_prefix}unacked"))
    finally:
        redis.close()


def wait_until_drained(jobs: Jobs, settings: Settings, timeout: float) -> int:
    """Waits until no message of any job is left on the broker; returns how many are."""
    deadline = time.monotonic() + timeout
    left = in_flight(jobs, settings)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = in_flight(jobs, settings)
    return left


def ledger_count(redis: Redis, settings: Settings, key: str) -> int:
    return int(redis.get(f"{settings.key_prefix}chaos:ledger:{key}") or 0)
