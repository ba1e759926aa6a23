"""Redis with Sentinel on loopback ports (a master, two replicas reading it over a
link with REPLICATION_DELAY of latency, three Sentinels); the master is SIGKILLed in
the middle of a burst of charges through the API, taking what is on the link with it,
and the Sentinels promote a replica. The API answers 503 with Retry-After until it reaches
the new master, never hangs, and needs no restart; the worker follows. With replica
acknowledgement (REDIS_REPLICA_ACKS=1, the default with Sentinel) no accepted job is
lost and none is charged twice; without it, what the failover cost is measured and
printed (docs/reliability.md): writes only the dead master had are gone, done markers
among them, so charges it had made are made again. Jobs a script published (through
Celery's producer) are on a replica before `publish` returns, so a master killed at
once loses none, and Flower counts them through the Sentinels before and after.
Marked `failover`: `make test-failover` runs these, `make test-resilience` leaves them
out."""

import time

import httpx2 as httpx
import pytest
from burst import Burst
from conftest import FLOWER_PASSWORD, celery_cli, start_api, start_chaos_worker, start_flower
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from ledger_audit import audit_executions, audit_service_ledger
from redis.exceptions import RedisError
from support.service import SERVICE_JOBS, a_charge, on_redis
from watch import UNKNOWN, Jobs, wait_until_drained

from durable_jobs import JobClient
from durable_jobs._core.broker_options import job_queues
from durable_jobs._core.redis_client import redis_client
from durable_jobs.testing.local_servers import SentinelGroup, port_of, private_redis_sentinel
from durable_jobs.testing.process_supervisor import ProcessSupervisor

pytestmark = [on_redis, pytest.mark.failover]
JOBS = 500
# A slow network between master and replicas; a loopback link is so fast that no
# write is ever only on the master when it dies.
REPLICATION_DELAY = 0.05


# Its own waits are bounded (the burst, jobs final, the queues drained, the worker's
# stop) and each names what it waited for; the suite's 120 s would cut a slow machine's
# run short before any of them could say what was slow.
@pytest.mark.timeout(300)
@pytest.mark.parametrize("replica_acks", [1, 0], ids=["replica-acks", "no-replica-acks"])
def test_master_sigkill_mid_burst(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, replica_acks: int
) -> None:
    with private_redis_sentinel(replication_delay=REPLICATION_DELAY) as group:
        settings = fast_recovery_settings.model_copy(
            update={
                "redis_url": group.url,
                "redis_master_name": group.master_name,
                "redis_replica_acks": replica_acks,
            }
        )
        worker = start_chaos_worker(supervisor, settings)
        burst = Burst(start_api(supervisor, settings), count=JOBS, seconds=8).start()

        time.sleep(2.5)
        group.master.kill()
        killed_at = time.monotonic()
        burst.join(timeout=60)
        burst_ended_after = time.monotonic() - killed_at
        assert burst.unexpected == []
        assert len(burst.accepted) == JOBS
        # Never a hang: every answer, 202 or 503, within the enqueue deadline and a margin.
        assert burst.slowest < settings.enqueue_timeout + 1.0

        jobs = Jobs(settings)
        try:
            states = jobs.wait_until_all_final(list(burst.accepted), timeout=120)
            assert states <= {"SUCCESS", UNKNOWN}, jobs.not_succeeded(list(burst.accepted))
            final_after = time.monotonic() - killed_at
            assert wait_until_drained(jobs, settings, timeout=30) == 0
            # Celery's own tools reach the worker through what is left of the broker.
            assert "pong" in celery_cli(settings, "inspect", "ping")
            worker.terminate(grace=30)
            keys = set(burst.accepted.values())
            result = audit_executions(settings, keys)
            service = audit_service_ledger(redis_client(settings), settings, keys)
        finally:
            jobs.close()
    refused_for = (burst.last_refusal_at or killed_at) - killed_at
    print(
        f"Redis Sentinel failover (master SIGKILL, {REPLICATION_DELAY * 1000:.0f} ms "
        f"replication lag, REDIS_REPLICA_ACKS={replica_acks}) "
        f"mid-burst: {result.line()}; accepted {len(burst.accepted)}; "
        f"{len(burst.refusals)} answers were 503, the slowest answer took "
        f"{burst.slowest:.2f} s; the last 503 {max(refused_for, 0.0):.2f} s after the kill; "
        f"the service's own ledger (in Redis) says {service.line()}; the burst ended "
        f"{burst_ended_after:.1f} s and every job was final {final_after:.1f} s after the kill"
    )
    assert result.completed + result.lost == JOBS
    if replica_acks:
        # Nothing lost, nothing done twice, and Redis remembers exactly that.
        assert (result.completed, result.duplicated, result.lost) == (JOBS, 0, 0)
        assert service == result


def promoted(group: SentinelGroup, settings: Settings, timeout: float = 30) -> None:
    """Until the Sentinels name a replica as the master."""
    replicas = {port_of(replica.url) for replica in group.replicas}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with redis_client(settings) as master:
                if master.connection_pool.get_master_address()[1] in replicas:
                    return
        except RedisError:  # no master while one is being promoted
            pass
        time.sleep(0.2)
    raise AssertionError(f"no replica was promoted within {timeout} s")


def test_a_scripts_jobs_survive_the_failover_and_flower_still_counts_them(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings
) -> None:
    """Jobs published by a script (through Celery's producer, no worker running) with
    REDIS_REPLICA_ACKS are on a replica before `publish` returns, so the master's death
    loses none; Flower reads the queue through the Sentinels before and after."""
    with private_redis_sentinel(replication_delay=REPLICATION_DELAY) as group:
        settings = fast_recovery_settings.model_copy(
            update={"redis_url": group.url, "redis_master_name": group.master_name}
        )
        assert settings.effective_replica_acks == 1  # the default with Sentinel
        queue = job_queues(settings, SERVICE_JOBS)[CHARGE.name]
        url = start_flower(supervisor, settings)
        assert charges_waiting(url, settings, queue) == 0
        client = JobClient(settings, SERVICE_JOBS)
        try:
            for index in range(3):
                client.publish(CHARGE, a_charge(f"script-{index}"))
            # At once: without the wait, the three would still be on the slow link.
            group.master.kill()
        finally:
            client.close()
        promoted(group, settings)
        with redis_client(settings) as master:
            assert master.llen(settings.key_prefix + queue) == 3
        assert charges_waiting(url, settings, queue) == 3


def charges_waiting(url: str, settings: Settings, queue: str) -> int:
    """The length of `queue` on Flower's queue-length API, read again until it answers
    (right after a failover, its client finds the new master on a retry)."""
    auth = (settings.flower_user, FLOWER_PASSWORD)
    deadline = time.monotonic() + 20
    while True:
        answer = httpx.get(f"{url}/api/queues/length", auth=auth, timeout=10)
        if answer.status_code == 200:
            lengths = {q["name"]: q["messages"] for q in answer.json()["active_queues"]}
            return int(lengths[queue])
        assert time.monotonic() < deadline, answer.text
        time.sleep(0.5)
