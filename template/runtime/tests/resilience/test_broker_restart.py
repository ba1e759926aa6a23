"""Redis, with the append-only file as compose ships it (`appendfsync everysec`), is
SIGKILLed in the middle of a burst and started again: the API answers 503 quickly
while it is down, recovers by itself afterwards, and no accepted job is lost or
charged twice. (A killed process loses nothing Redis acknowledged: each write reaches
the kernel before the reply. The second `everysec` may lose is that of a machine
crash; docs/reliability.md.)"""

import time
from pathlib import Path

from burst import Burst
from conftest import start_api, start_chaos_worker
from fixture_service.settings import Settings
from ledger_audit import audit_executions, audit_service_ledger
from redis import Redis
from watch import Jobs, wait_until_drained

from durable_jobs.testing.process_supervisor import (
    ManagedProcess,
    ProcessSupervisor,
    free_port,
    log_matches,
)

JOBS = 300
DOWNTIME = 3.0


def start_redis(supervisor: ProcessSupervisor, data: Path) -> ManagedProcess:
    """A Redis of this test only, persisting as compose.yaml's does."""
    data.mkdir()
    return supervisor.start(
        "redis",
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(free_port()),
            "--dir",
            str(data),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
        ],
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
        cwd=data,
        ready=log_matches(r"Ready to accept connections"),
    )


def test_redis_sigkill_mid_burst_loses_no_accepted_job(
    supervisor: ProcessSupervisor, fast_recovery_settings: Settings, tmp_path: Path
) -> None:
    redis = start_redis(supervisor, tmp_path / "redis-data")
    url = f"redis://127.0.0.1:{redis.argv[4]}/0"
    settings = fast_recovery_settings.model_copy(update={"redis_url": url})
    worker = start_chaos_worker(supervisor, settings)
    burst = Burst(start_api(supervisor, settings), count=JOBS, seconds=6).start()

    time.sleep(1.5)
    redis.kill()
    time.sleep(DOWNTIME)
    redis.start()
    back_at = time.monotonic()
    burst.join(timeout=180)
    assert burst.unexpected == []
    assert burst.refusals, "the outage was not noticed: no 503 during the downtime"
    # Never a hang: each 503 within the enqueue deadline, and a margin for a loaded
    # machine's client threads (0.2 s was once too little with the CPU saturated).
    assert max(burst.refusals) < settings.enqueue_timeout + 1.0
    assert len(burst.accepted) == JOBS

    jobs = Jobs(settings)
    client = Redis.from_url(url, decode_responses=True)
    try:
        # Counted once every job has ended and no copy of one is left on the broker.
        assert jobs.wait_until_all_final(list(burst.accepted), timeout=90) == {"SUCCESS"}
        assert wait_until_drained(jobs, settings, timeout=30) == 0
        worker.terminate(grace=30)
        keys = set(burst.accepted.values())
        result = audit_executions(settings, keys)
        assert audit_service_ledger(client, settings, keys) == result
    finally:
        jobs.close()
        client.close()
    # The API may get its first 202 through before this thread notes Redis is back.
    first_accept = max(0.0, (burst.first_accept_after_refusal or back_at) - back_at)
    print(
        f"Redis SIGKILL ({DOWNTIME:.0f} s down, appendfsync everysec) mid-burst: "
        f"{result.line()}; {len(burst.refusals)} answers were 503, the slowest in "
        f"{max(burst.refusals):.2f} s; first 202 {first_accept:.1f} s after Redis was back"
    )
    assert (result.completed, result.lost, result.duplicated) == (JOBS, 0, 0)
