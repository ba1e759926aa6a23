"""A 3-node RabbitMQ cluster on loopback ports; the node leading the charge queue (a
quorum queue) is SIGKILLed in the middle of a burst of charges through the API. The
API answers 503 with Retry-After while it cannot publish, never hangs, and publishes
again through a surviving node without a restart; the worker reconnects to one; no
accepted job is lost or charged twice. Marked `failover`: `make test-failover` runs
these, `make test-resilience` leaves them out."""

import re
import time

import pytest
from burst import Burst
from conftest import celery_cli, start_api, start_chaos_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from ledger_audit import audit_executions, audit_service_ledger
from redis import Redis
from support.service import on_rabbitmq
from watch import Jobs, wait_until_drained

from durable_jobs._core.broker_options import queue_name
from durable_jobs._core.queues import routed_queue
from durable_jobs.testing.local_servers import (
    LocalServer,
    port_of,
    private_rabbitmq_cluster,
    rabbitmqctl,
)
from durable_jobs.testing.process_supervisor import ProcessSupervisor

pytestmark = [on_rabbitmq, pytest.mark.failover]
JOBS = 500


def leader_of(queue: str, nodes: list[LocalServer], asking: LocalServer) -> LocalServer:
    listed = rabbitmqctl(asking, "list_queues", "name", "leader")
    leaders = dict(line.split("\t")[:2] for line in listed.splitlines()[1:] if "\t" in line)
    return next(node for node in nodes if node.node == leaders[queue])


# A cluster's start (about 20 s) and the test's own bounded waits, each of which names
# what it waited for: the suite's 120 s would cut a slow machine's run short first.
@pytest.mark.timeout(300)
def test_leader_sigkill_mid_burst_loses_no_accepted_job(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, redis: Redis
) -> None:
    with private_rabbitmq_cluster(3) as nodes:
        urls = ";".join(node.url for node in nodes)
        settings = fast_recovery_settings.model_copy(update={"broker_url": urls})
        worker = start_chaos_worker(supervisor, settings)
        queue = queue_name(settings, routed_queue(settings, CHARGE.queue))
        leader = leader_of(queue, nodes, nodes[-1])
        survivors = [node for node in nodes if node is not leader]
        burst = Burst(start_api(supervisor, settings), count=JOBS, seconds=8).start()

        time.sleep(2.5)
        leader.kill()
        killed_at = time.monotonic()
        burst.join(timeout=60)
        assert burst.unexpected == []
        assert len(burst.accepted) == JOBS
        # Never a hang: every answer, 202 or 503, within the enqueue deadline and a margin.
        assert burst.slowest < settings.enqueue_timeout + 1.0
        new_leader = leader_of(queue, nodes, survivors[0])
        assert new_leader in survivors

        jobs = Jobs(settings)
        try:
            # Counted once every job has ended and no copy of one is left on the broker.
            states = jobs.wait_until_all_final(list(burst.accepted), timeout=120)
            assert states == {"SUCCESS"}, jobs.not_succeeded(list(burst.accepted))
            assert wait_until_drained(jobs, settings, timeout=30) == 0
            # Celery's own tools reach the worker through what is left of the broker.
            assert "pong" in celery_cli(settings, "inspect", "ping")
            log = worker.output()
            worker.terminate(grace=30)
            keys = set(burst.accepted.values())
            result = audit_executions(settings, keys)
            assert audit_service_ledger(redis, settings, keys) == result
        finally:
            jobs.close()
    survivor_ports = {str(port_of(node.url)) for node in survivors}
    reconnected = set(re.findall(r"Connected to amqp://guest:\*\*@127\.0\.0\.1:(\d+)", log))
    assert reconnected & survivor_ports, "the worker never connected to a surviving node"
    refused_for = (burst.last_refusal_at or killed_at) - killed_at
    print(
        f"RabbitMQ leader SIGKILL (3-node cluster, quorum queues) mid-burst: "
        f"{result.line()}; accepted {len(burst.accepted)}; {len(burst.refusals)} answers "
        f"were 503, the slowest answer took {burst.slowest:.2f} s; the last 503 "
        f"{max(refused_for, 0.0):.2f} s after the kill"
    )
    assert (result.completed, result.lost, result.duplicated) == (JOBS, 0, 0)
