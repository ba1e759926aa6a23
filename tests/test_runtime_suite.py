"""The runtime's own suite (template/runtime/tests), run directly on its fixture service
without rendering: on Redis; on RabbitMQ with PostgreSQL and priority queues; the
broker-cluster failovers of each. And the promise a rendered project keeps proving on
itself: `make test-resilience` SIGKILLs its worker mid-burst, nothing lost or done twice."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from booting import ROOT
from conftest import run

RUNTIME = ROOT / "template" / "runtime"
# What configures the fixture service (its settings read the environment, as a
# service's do): left out unless a run sets it.
CONFIGURATION = ("BROKER_URL", "DATABASE_URL", "TEST_DATABASE_SERVER", "PRIORITY_QUEUES")
FIGURES = re.compile(
    r"(?:burst with|Redis SIGKILL|whole worker|Sentinel failover|leader SIGKILL)[^\n]*"
)


def runtime_suite(*args: str, **configuration: str) -> str:
    """`pytest` over the runtime's tests in this environment; its output. Fails unless
    every test it ran passed."""
    env = {key: value for key, value in os.environ.items() if key not in CONFIGURATION}
    env.update(configuration)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:randomly", "-p", "no:xdist", *args],
        cwd=RUNTIME,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert result.returncode == 0, failure_report(result.stdout + result.stderr)
    print("\n".join(FIGURES.findall(result.stdout)))
    return result.stdout


# A JSON log line of one of the fixture service's processes, as pytest shows it.
LOG_LINE = re.compile(r"^(?:E?\s+)?\{\"")


def without_log_lines(output: str) -> str:
    """A failed run's output without its processes' JSON log lines (thousands in a burst):
    what is left is pytest's traceback and summary."""
    return "\n".join(line for line in output.splitlines() if not LOG_LINE.match(line))


def failure_report(output: str, limit: int = 8000) -> str:
    """What a failed run shows: each failure's traceback and assertion (before the logs
    of its processes, which follow it and run long), then pytest's summary."""
    text = without_log_lines(output)
    if "= FAILURES =" not in text:  # an error in collection or a fixture: its tail says
        return text[-limit:]
    failures, _, rest = text.partition("= FAILURES =")[2].partition("short test summary info")
    tracebacks = [part.split("logs of the processes")[0] for part in failures.split("\n____")]
    shown = "\n____".join(tracebacks)
    return f"{shown[-(limit - 1500) :]}\n...short test summary info{rest[-1500:]}"


def summary(output: str) -> str:
    """pytest's last line: what passed, failed, was skipped."""
    return output.strip().splitlines()[-1]


def nothing_lost(output: str) -> list[str]:
    """The run's figures that count lost and duplicated jobs, each with none of either."""
    counted = [line for line in FIGURES.findall(output) if " lost " in line]
    for line in counted:
        assert "duplicated 0, lost 0" in line, line
    return counted


def on_rabbitmq_with_a_database_and_priority_queues(rabbitmq_url: str) -> dict[str, str]:
    return {
        "BROKER_URL": rabbitmq_url,
        "TEST_DATABASE_SERVER": os.environ["TEST_DATABASE_SERVER"],
        "PRIORITY_QUEUES": "true",
    }


# Each configuration's suite in two halves of a few minutes each, which the xdist
# workers share out (one run of it all kept one worker busy for six minutes).
HALVES = ["integration", "resilience"]


@pytest.mark.parametrize("half", HALVES)
def test_runtime_suite_on_rabbitmq_with_a_database_and_priority_queues(
    redis_url: str, rabbitmq_url: str, half: str
) -> None:
    configuration = on_rabbitmq_with_a_database_and_priority_queues(rabbitmq_url)
    # What does not depend on the broker ran on Redis already.
    selected = "not failover and not broker_agnostic"
    output = runtime_suite(
        f"tests/{half}", "-m", selected, "-s", REDIS_URL=redis_url, **configuration
    )
    assert "failed" not in summary(output)
    nothing_lost(output)


@pytest.mark.parametrize("half", HALVES)
def test_runtime_suite_on_redis(redis_url: str, half: str) -> None:
    output = runtime_suite(f"tests/{half}", "-m", "not failover", "-s", REDIS_URL=redis_url)
    assert "failed" not in summary(output)
    assert half == "integration" or nothing_lost(output), output[-5000:]


def test_priority_queues_on_redis_let_a_high_job_overtake_the_backlog(redis_url: str) -> None:
    output = runtime_suite(
        "tests/integration/test_priority_queues.py", REDIS_URL=redis_url, PRIORITY_QUEUES="true"
    )
    assert "1 passed" in summary(output)


@pytest.mark.failover
def test_rabbitmq_cluster_failover_loses_nothing(redis_url: str, rabbitmq_url: str) -> None:
    """A 3-node cluster the test starts, its queue leader SIGKILLed mid-burst."""
    output = runtime_suite(
        "tests", "-m", "failover", "-s", REDIS_URL=redis_url, BROKER_URL=rabbitmq_url
    )
    (figures,) = re.findall(r"RabbitMQ leader SIGKILL[^\n]*", output)
    assert "completed 500, duplicated 0, lost 0" in figures, figures
    assert "1 passed" in summary(output)


@pytest.mark.failover
def test_redis_sentinel_failover_loses_nothing_with_replica_acks(redis_url: str) -> None:
    """A master, two replicas and three Sentinels the test starts, the master SIGKILLed
    mid-burst, with replica acknowledgement on and off; a script's jobs through a
    failover, counted by Flower."""
    output = runtime_suite("tests", "-m", "failover", "-s", REDIS_URL=redis_url)
    figures = re.findall(r"Redis Sentinel failover[^\n]*", output)
    assert len(figures) == 2, output[-5000:]
    with_acks = next(line for line in figures if "REDIS_REPLICA_ACKS=1" in line)
    assert "completed 500, duplicated 0, lost 0" in with_acks, with_acks
    assert "3 passed" in summary(output), summary(output)


@pytest.mark.xdist_group("processes")
def test_rendered_resilience_suite_sigkills_the_worker_and_loses_nothing(
    default_project: Path, redis_url: str
) -> None:
    result = run(["make", "test-resilience"], default_project, timeout=600, REDIS_URL=redis_url)
    (figures,) = re.findall(r"worker SIGKILL mid-burst[^\n]*", result.stdout)
    print(figures)
    assert "completed 30, duplicated 0, lost 0" in figures, figures
    assert "1 passed" in summary(result.stdout)
