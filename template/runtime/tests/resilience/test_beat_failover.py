"""Two Beat processes, one scheduler: each tick runs once, and the standby takes over
when the leader is SIGKILLed."""

import time

import pytest
from conftest import PROJECT_DIR, service_env, start_chaos_worker
from fixture_service.settings import Settings
from redis import Redis

from durable_jobs._worker.beat import LOCK_TIMEOUT, LOOP_INTERVAL
from durable_jobs.testing.process_supervisor import ManagedProcess, ProcessSupervisor, log_matches

# Nothing here depends on the broker: the template runs it on one configuration.
pytestmark = pytest.mark.broker_agnostic

LEADER = r"beat: Acquired lock"
SENT = "Sending due task tick-every-second"
TAKEOVER_BOUND = LOCK_TIMEOUT + 2 * LOOP_INTERVAL


def start_beat(supervisor: ProcessSupervisor, settings: Settings, name: str) -> ManagedProcess:
    return supervisor.start(
        name,
        ["celery", "--app", "beat_with_tick", "beat", "--loglevel", "INFO"],
        env=service_env(settings),
        cwd=PROJECT_DIR,
        ready=log_matches(r"beat: Starting"),
    )


def ticks(redis: Redis, settings: Settings) -> list[float]:
    return [float(at) for at in redis.lrange(f"{settings.key_prefix}chaos:ticks", 0, -1)]


def test_two_beats_send_each_tick_once_and_the_standby_takes_over(
    supervisor: ProcessSupervisor, settings: Settings, redis: Redis
) -> None:
    start_chaos_worker(supervisor, settings)
    beats = [start_beat(supervisor, settings, f"beat-{n}") for n in (1, 2)]
    leader_found = time.monotonic() + 30
    while not any(LEADER in beat.output() for beat in beats) and time.monotonic() < leader_found:
        time.sleep(0.1)
    [leader] = [beat for beat in beats if LEADER in beat.output()]
    [standby] = [beat for beat in beats if beat is not leader]

    before = [beat.output().count(SENT) for beat in (leader, standby)]
    time.sleep(10)
    ran = len(ticks(redis, settings))
    total = [beat.output().count(SENT) for beat in (leader, standby)]
    sent = [after - start for after, start in zip(total, before, strict=True)]
    print(f"two Beats for 10 s: the leader sent {sent[0]} ticks, the standby {sent[1]}")
    assert 8 <= sent[0] <= 12
    assert sent[1] == 0, "two schedulers sent the same ticks"
    assert ran <= total[0], "a tick ran twice"

    leader.kill()
    killed_at = time.monotonic()
    standby.wait_until(log_matches(LEADER), TAKEOVER_BOUND, "the new leader")
    ran_before = len(ticks(redis, settings))
    deadline = time.monotonic() + 10
    while len(ticks(redis, settings)) <= ran_before and time.monotonic() < deadline:
        time.sleep(0.1)
    took_over_in = time.monotonic() - killed_at
    print(f"Beat leader SIGKILLed: ticks resumed {took_over_in:.1f} s later")
    assert len(ticks(redis, settings)) > ran_before
    assert took_over_in < TAKEOVER_BOUND + 10
