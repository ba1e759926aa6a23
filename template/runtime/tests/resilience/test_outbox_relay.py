"""The outbox under failure: a job committed with its row runs exactly once, whoever
dies between the commit and the broker, and whatever the broker was doing meanwhile."""

import re
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx2 as httpx
import pytest
from conftest import start_api, start_relay, start_worker
from fixture_service.settings import Settings
from redis import Redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from support.service import SERVICE_JOBS, with_database
from watch import Jobs

from durable_jobs._core.celery_app import make_celery
from durable_jobs._core.outbox import OutboxMessage
from durable_jobs._core.records import JobRecords
from durable_jobs._core.sending import OutgoingJob, publish_batch
from durable_jobs.database import sync_engine
from durable_jobs.testing.process_supervisor import ProcessSupervisor
from durable_jobs.testing.tcp_proxy import TcpProxy

pytestmark = with_database


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = sync_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def jobs(settings: Settings, redis: Redis) -> Iterator[Jobs]:
    watcher = Jobs(settings)
    yield watcher
    watcher.close()


def sign_up(api_url: str, count: int = 1) -> list[dict[str, int | str]]:
    """Users created through the API: their ids and welcome e-mail job ids."""
    signed = []
    with httpx.Client(base_url=api_url, timeout=5) as client:
        for _ in range(count):
            email = f"{uuid.uuid4().hex}@example.com"
            response = client.post("/signup", json={"email": email, "name": "Ann"})
            assert response.status_code == 201, response.text
            body = response.json()
            signed.append({"user_id": body["user_id"], "job_id": body["welcome_email"]["id"]})
    return signed


def pending(engine: Engine, job_ids: list[str]) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.job_id.in_(job_ids), OutboxMessage.sent_at.is_(None)
                )
            )
        )


def wait_until_sent(engine: Engine, job_ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pending(engine, job_ids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pending(engine, job_ids), f"still in the outbox after {timeout} s"


def times_sent(worker_log: str, user_id: int | str) -> int:
    return len(re.findall(rf"e-mail welcome-{user_id} sent", worker_log))


def succeeded_runs(worker_log: str, job_id: str) -> int:
    return sum("task succeeded" in line and job_id in line for line in worker_log.splitlines())


def test_job_committed_just_before_the_api_dies_is_sent_once(
    supervisor: ProcessSupervisor, settings: Settings, engine: Engine, jobs: Jobs
) -> None:
    # Nothing but the API runs: nobody can publish the job before the API is killed.
    api_url = start_api(supervisor, settings)
    [signed] = sign_up(api_url)
    api = next(process for process in supervisor.processes if process.name == "api")
    api.kill()

    worker = start_worker(supervisor, settings)
    start_relay(supervisor, settings)
    job_id = str(signed["job_id"])
    wait_until_sent(engine, [job_id], timeout=30)
    assert jobs.wait_until_final(job_id, timeout=30).state == "SUCCESS"
    assert times_sent(worker.output(), signed["user_id"]) == 1


def test_relay_that_died_after_publishing_publishes_again_and_the_job_runs_once(
    supervisor: ProcessSupervisor, settings: Settings, engine: Engine, jobs: Jobs
) -> None:
    [signed] = sign_up(start_api(supervisor, settings))
    job_id = str(signed["job_id"])
    # What a relay killed between publishing and marking the record sent leaves
    # behind: the message on the broker, the record still pending.
    [record] = pending(engine, [job_id])
    message = OutgoingJob(record.job_id, record.job_name, record.payload, record.request_id)
    publish_batch(make_celery(settings, SERVICE_JOBS), JobRecords.for_settings(settings), [message])

    worker = start_worker(supervisor, settings)
    start_relay(supervisor, settings)
    wait_until_sent(engine, [job_id], timeout=30)
    assert jobs.wait_until_final(job_id, timeout=30).state == "SUCCESS"
    # Both deliveries ran; the e-mail went out once.
    worker.wait_until(
        lambda w: succeeded_runs(w.output(), job_id) == 2, timeout=30, what="done twice"
    )
    assert times_sent(worker.output(), signed["user_id"]) == 1


def test_jobs_committed_while_the_broker_is_down_all_run_once_it_is_back(
    supervisor: ProcessSupervisor, settings: Settings, engine: Engine, redis: Redis
) -> None:
    broker = urlsplit(settings.effective_broker_url)
    assert broker.port is not None, "the broker URL must name its port"
    proxy = TcpProxy(target_port=broker.port).start()
    netloc = broker.netloc.replace(f":{broker.port}", f":{proxy.port}")
    rerouted = urlunsplit(broker._replace(netloc=netloc))
    field = "broker_url" if settings.broker_url else "redis_url"
    via_proxy = settings.model_copy(update={field: rerouted})
    worker = start_worker(supervisor, via_proxy)
    relay = start_relay(supervisor, via_proxy)
    api_url = start_api(supervisor, via_proxy)

    proxy.cut()
    signed = sign_up(api_url, count=20)
    job_ids = [str(s["job_id"]) for s in signed]
    relay.wait_until(lambda r: "outbox not relayed" in r.output(), 30, "refused by the broker")
    assert len(pending(engine, job_ids)) == 20

    proxy.start()
    wait_until_sent(engine, job_ids, timeout=60)
    watcher = Jobs(settings)
    try:
        assert watcher.wait_until_all_final(job_ids, timeout=60) == {"SUCCESS"}
    finally:
        watcher.close()
    log = worker.output()
    assert [times_sent(log, s["user_id"]) for s in signed] == [1] * 20
    proxy.cut()
