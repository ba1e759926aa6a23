"""Two services on one broker (a Redis database or a RabbitMQ vhost), each with its own
prefixes: their workers start side by side under the same node name, and Celery's own
tools used on one (`celery status`, `inspect`, `purge`) never reach the other."""

import json
import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import celery_cli, clean_up, make_settings, start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from redis import Redis
from support.service import SERVICE_JOBS, a_charge, waiting

from durable_jobs import JobClient
from durable_jobs.testing.process_supervisor import ProcessSupervisor


def waiting_for(settings: Settings) -> int:
    client = JobClient(settings, SERVICE_JOBS)
    try:
        return waiting(client.celery, settings)
    finally:
        client.close()


def publish_a_charge(settings: Settings) -> None:
    client = JobClient(settings, SERVICE_JOBS)
    try:
        client.publish(CHARGE, a_charge("shared"))
    finally:
        client.close()


@pytest.fixture
def two_services(redis_url: str, tmp_path: Path) -> Iterator[tuple[Settings, Settings]]:
    services = (make_settings(tmp_path / "one"), make_settings(tmp_path / "other"))
    yield services
    client = Redis.from_url(redis_url, decode_responses=True)
    for settings in services:
        clean_up(settings)
    client.close()


def test_two_services_on_one_broker_never_reach_each_others_workers(
    supervisor: ProcessSupervisor, two_services: tuple[Settings, Settings]
) -> None:
    one, other = two_services
    workers = [start_worker(supervisor, one, "one"), start_worker(supervisor, other, "other")]
    # The Procfile's node name, the same for both: nothing of one blocks the other.
    names = {re.findall(r"(\S+@\S+) ready", worker.output())[-1] for worker in workers}
    assert len(names) == 1
    assert all(worker.alive() for worker in workers)

    # Seen from one of them (the setup is symmetric): one node answers (`celery status`
    # is the same broadcast), and it consumes this service's queues only.
    replies = json.loads(celery_cli(one, "inspect", "active_queues", "--json"))
    assert len(replies) == 1, replies
    consumed = {queue["name"] for queues in replies.values() for queue in queues}
    assert consumed, replies
    assert all(name.startswith(one.queue_prefix) for name in consumed), replies

    for worker in workers:
        worker.signal_group(signal.SIGTERM)  # both warm shutdowns at once
    for worker in workers:
        worker.terminate(grace=30)
    publish_a_charge(one)
    publish_a_charge(other)
    assert "Purged 1 message" in celery_cli(one, "purge", "-f")
    assert (waiting_for(one), waiting_for(other)) == (0, 1)
