"""The idempotency guard against a real Redis: duplicates, races, expired leases."""

import threading
import time

import pytest
from fixture_service.settings import Settings
from redis import Redis

from durable_jobs._core.idempotency import AlreadyRunning, IdempotencyGuard, LeaseLost


def guard(redis: Redis, settings: Settings, lease_seconds: int = 30) -> IdempotencyGuard:
    return IdempotencyGuard(redis, settings.key_prefix, lease_seconds, done_ttl_seconds=600)


def test_second_delivery_returns_the_first_result_without_running(
    redis: Redis, settings: Settings
) -> None:
    runs = []
    for _ in range(2):
        with guard(redis, settings).claim("k1") as claim:
            if not claim.done:
                runs.append(1)
                claim.commit({"n": 1})
            assert claim.result == {"n": 1}
    assert runs == [1]


def test_concurrent_deliveries_run_the_side_effect_once(redis: Redis, settings: Settings) -> None:
    ledger = f"{settings.key_prefix}ledger"
    outcomes: list[str] = []
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait()
        try:
            with guard(redis, settings).claim("k2") as claim:
                if not claim.done:
                    time.sleep(0.2)
                    claim.commit("charged", also=lambda pipe: pipe.rpush(ledger, "charge"))
                outcomes.append("done")
        except AlreadyRunning:
            outcomes.append("busy")

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert redis.llen(ledger) == 1
    assert outcomes.count("done") >= 1
    assert len(outcomes) == 8


def test_failed_run_releases_the_lease_so_a_retry_can_run(redis: Redis, settings: Settings) -> None:
    def fail_midway() -> None:
        with guard(redis, settings).claim("k3") as claim:
            assert not claim.done
            raise RuntimeError("transient")

    with pytest.raises(RuntimeError):
        fail_midway()
    with guard(redis, settings).claim("k3") as claim:
        assert not claim.done
        claim.commit("ok")


def test_commit_after_the_lease_expired_is_refused(redis: Redis, settings: Settings) -> None:
    slow = guard(redis, settings, lease_seconds=1)
    with slow.claim("k4") as claim:
        time.sleep(1.3)
        with guard(redis, settings).claim("k4") as other:
            other.commit("other won")
        with pytest.raises(LeaseLost):
            claim.commit("too late")
    assert guard(redis, settings).finished("k4") == (True, "other won")


def test_a_redelivery_of_the_same_job_takes_over_its_dead_lease(
    redis: Redis, settings: Settings
) -> None:
    # The first delivery of job-1 died holding the lease (no release ran).
    redis.set(f"{settings.key_prefix}idem:lease:k5", "job-1|dead-nonce", ex=60)
    with pytest.raises(AlreadyRunning):
        guard(redis, settings).claim("k5", owner="job-2").__enter__()
    with guard(redis, settings).claim("k5", owner="job-1") as claim:
        assert not claim.done
        claim.commit("recovered")
    assert guard(redis, settings).finished("k5") == (True, "recovered")
