"""The rendered project's resilience suite: workers SIGKILLed mid-task, Redis SIGKILLed
mid-burst, runaway and self-killing jobs. Nothing accepted may be lost or done twice."""

import re
from pathlib import Path

import pytest
from conftest import run

FIGURES = re.compile(r"(?:burst with|Redis SIGKILL|whole worker)[^\n]*")


@pytest.mark.xdist_group("processes")
def test_rendered_resilience_suite_loses_nothing(default_project: Path, redis_url: str) -> None:
    result = run(["make", "test-resilience"], default_project, timeout=600, REDIS_URL=redis_url)
    figures = FIGURES.findall(result.stdout)
    print("\n".join(figures))
    assert len(figures) == 3, result.stdout[-5000:]
    counted = [line for line in figures if " lost " in line]
    assert len(counted) == 2
    for line in counted:
        assert "duplicated 0, lost 0" in line, line
    summary = result.stdout.strip().splitlines()[-1]
    assert "passed" in summary
    assert "failed" not in summary
    assert "skipped" not in summary


@pytest.mark.failover
@pytest.mark.xdist_group("updates")
def test_rabbitmq_cluster_failover_loses_nothing(
    rabbitmq_project: Path, redis_url: str, rabbitmq_url: str
) -> None:
    """The rendered RabbitMQ project's failover scenario (a 3-node cluster it starts,
    its leader SIGKILLed mid-burst). Beside the updating tests, not the boots: three
    Erlang nodes and a service on two cores."""
    result = run(
        ["make", "test-failover"],
        rabbitmq_project,
        timeout=600,
        REDIS_URL=redis_url,
        BROKER_URL=rabbitmq_url,
    )
    (figures,) = re.findall(r"RabbitMQ leader SIGKILL[^\n]*", result.stdout)
    print(figures)
    assert "completed 500, duplicated 0, lost 0" in figures, figures
    summary = result.stdout.strip().splitlines()[-1]
    assert "1 passed" in summary, result.stdout[-5000:]


@pytest.mark.failover
@pytest.mark.xdist_group("updates")
def test_redis_sentinel_failover_loses_nothing_with_replica_acks(
    default_project: Path, redis_url: str
) -> None:
    """The default project's failover scenarios: Redis with a master, two replicas and
    three Sentinels it starts, the master SIGKILLed mid-burst, with replica
    acknowledgement on and off; and a script's jobs through a failover, counted by
    Flower."""
    result = run(["make", "test-failover"], default_project, timeout=600, REDIS_URL=redis_url)
    figures = re.findall(r"Redis Sentinel failover[^\n]*", result.stdout)
    print("\n".join(figures))
    assert len(figures) == 2, result.stdout[-5000:]
    with_acks = next(line for line in figures if "REDIS_REPLICA_ACKS=1" in line)
    assert "completed 500, duplicated 0, lost 0" in with_acks, with_acks
    summary = result.stdout.strip().splitlines()[-1]
    assert "3 passed" in summary, result.stdout[-5000:]
