"""Fixtures of the template's own tests: rendering projects and preparing their environments."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml
from booting import ROOT
from copier import run_copy
from databases import create_database, drop_database
from durable_jobs.testing.local_servers import ServerUnavailable
from durable_jobs.testing.process_supervisor import ProcessSupervisor, free_port
from redis import Redis
from servers import server_url, start_private_servers
from updating import clone_with_releases

FULL_RABBITMQ = {
    "broker": "rabbitmq",
    "use_priority_queues": True,
    "use_beat": True,
    "use_flower": True,
    "use_docker": True,
    "deploy": "kubernetes",
    "database": "postgresql",
}
DEFAULT_PACKAGE = "acme_jobs"


def render(destination: Path, **answers: Any) -> Path:
    """Render the working tree of the template (uncommitted changes included)."""
    run_copy(
        str(ROOT),
        destination,
        data=answers,
        defaults=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=False,
    )
    return destination


def starts_a_worker(command: list[str]) -> bool:
    """A container command that runs a Celery worker: `python -m <package>.worker ...`."""
    return command[:2] == ["python", "-m"] and len(command) > 2 and command[2].endswith(".worker")


def recorded_answers(project: Path) -> dict[str, Any]:
    """The answers a rendered project recorded in its answers file."""
    loaded: dict[str, Any] = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return loaded


# The variables that point at the suite's servers: a project run without them finds
# nothing configured and starts servers of its own.
SERVER_VARIABLES = ("REDIS_URL", "RABBITMQ_URL", "TEST_DATABASE_SERVER")


def project_env(unset: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    """Environment for commands run inside a rendered project (not this repo's venv)."""
    # Not this repo's venv, nor the flags of a `make` that runs these tests.
    inherited = {"VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS", *unset}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.update(extra)
    return env


def run(
    args: list[str],
    cwd: Path,
    timeout: float = 600,
    unset: tuple[str, ...] = (),
    **extra_env: str,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=project_env(unset, **extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        # The services' JSON log lines would push pytest's own report out of sight.
        stdout = "\n".join(line for line in result.stdout.splitlines() if not line.startswith('{"'))
        pytest.fail(
            f"`{' '.join(args)}` in {cwd} exited {result.returncode}\n"
            f"--- stdout (JSON log lines left out)\n{stdout[-15000:]}\n"
            f"--- stderr\n{result.stderr[-15000:]}",
            pytrace=False,
        )
    return result


SERVERS = pytest.StashKey[ExitStack]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--without-servers",
        action="store_true",
        help="start no private Redis, RabbitMQ or PostgreSQL (tests that need one fail)",
    )


# Tests of minutes each (the runtime's suites), then the longest of the rest: started
# first, they end while the many short tests fill the other workers, instead of
# starting last and keeping one worker busy alone at the end.
LONGEST_FIRST = ("test_runtime_suite.py", "test_updating_across_the_split.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)


def pytest_configure(config: pytest.Config) -> None:
    # Once per run, in the process that owns it; xdist's workers inherit the variables.
    if hasattr(config, "workerinput") or config.getoption("--without-servers"):
        return
    stack = config.stash[SERVERS] = ExitStack()
    try:
        message = start_private_servers(stack)
    except ServerUnavailable as exc:
        stack.close()
        raise pytest.UsageError(str(exc)) from None
    print(message, file=sys.stderr, flush=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    if SERVERS in config.stash:
        config.stash[SERVERS].close()


@pytest.fixture(scope="session")
def redis_url() -> str:
    return server_url("redis")


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    return server_url("rabbitmq")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the template with its releases tagged and the working tree on top,
    tagged as the next release: what the update tests copy and update from."""
    return clone_with_releases(tmp_path_factory.mktemp("template") / "repo")


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project rendered with default answers, installed with `make install`."""
    project = render(tmp_path_factory.mktemp("default") / "acme-jobs")
    run(["make", "install"], project)
    return project


@pytest.fixture(scope="session")
def postgres_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Redis as the broker, PostgreSQL for the service's data and the outbox."""
    project = render(tmp_path_factory.mktemp("postgres") / "acme-jobs", database="postgresql")
    run(["make", "install"], project)
    return project


@pytest.fixture(scope="session")
def rabbitmq_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every option on: RabbitMQ, PostgreSQL, priority queues, Beat, Flower, Docker and
    Kubernetes."""
    project = render(tmp_path_factory.mktemp("rabbitmq") / "acme-jobs", **FULL_RABBITMQ)
    run(["make", "install"], project)
    return project


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[ProcessSupervisor]:
    processes = ProcessSupervisor(tmp_path / "logs")
    yield processes
    processes.stop_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.failed:
        supervisor = getattr(item, "funcargs", {}).get("supervisor")
        if isinstance(supervisor, ProcessSupervisor):
            report.sections.append(("logs of the processes", supervisor.report()))
    return report


def unique_prefix() -> str:
    return f"template-test-{uuid.uuid4().hex[:8]}:"


# Run in the rendered project: deletes this run's queues from the shared broker.
DELETE_QUEUES = f"""
from kombu import Queue
from {DEFAULT_PACKAGE} import jobs
from durable_jobs import discover_jobs
from durable_jobs._core.celery_app import make_celery
from {DEFAULT_PACKAGE}.settings import get_settings
app = make_celery(get_settings(), discover_jobs(jobs))
with app.connection_for_write() as connection:
    for queue in app.conf.task_queues:
        with connection.channel() as channel:
            Queue(queue.name).bind(channel).delete()
"""


@pytest.fixture
def service_env(tmp_path: Path, redis_url: str) -> Any:
    prefix = unique_prefix()
    env = project_env(
        REDIS_URL=redis_url,
        KEY_PREFIX=prefix,
        QUEUE_PREFIX=prefix.replace(":", "-"),
        # Every port the Procfile's processes listen on, free: tests run side by side,
        # and `make dev` refuses a busy one.
        API_PORT=str(free_port()),
        FLOWER_PORT=str(free_port()),
        WORKER_METRICS_PORT=str(free_port()),
        WORKER_LOW_METRICS_PORT=str(free_port()),
        RELAY_METRICS_PORT=str(free_port()),
        STORAGE_DIR=str(tmp_path / "storage"),
        MAIL_DIR=str(tmp_path / "mail"),
        DATABASE_PATH=str(tmp_path / "app.sqlite3"),
    )
    yield env
    redis = Redis.from_url(redis_url)
    keys = list(redis.scan_iter(f"{env['KEY_PREFIX']}*"))
    if keys:
        redis.delete(*keys)


@pytest.fixture
def rabbitmq_env(service_env: dict[str, str], rabbitmq_project: Path, rabbitmq_url: str) -> Any:
    """For the all-options project: RabbitMQ, and an empty PostgreSQL database of its own
    (`make dev` and compose's `migrate` service create the tables, as for users)."""
    database = create_database()
    env = {**service_env, "BROKER_URL": rabbitmq_url, "DATABASE_URL": database}
    yield env
    run(["uv", "run", "--frozen", "python", "-c", DELETE_QUEUES], rabbitmq_project, **env)
    drop_database(database)
