"""Fixtures of the template's own tests: rendering projects and preparing their environments."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from booting import ROOT
from copier import run_copy
from databases import create_database, drop_database
from redis import Redis
from redis.exceptions import RedisError
from support.process_supervisor import ProcessSupervisor, free_port
from updating import clone_with_releases

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"
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


def project_env(**extra: str) -> dict[str, str]:
    """Environment for commands run inside a rendered project (not this repo's venv)."""
    # Not this repo's venv, nor the flags of a `make` that runs these tests.
    inherited = {"VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    env.update(extra)
    return env


def run(
    args: list[str], cwd: Path, timeout: float = 600, **extra_env: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=project_env(**extra_env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` in {cwd} exited {result.returncode}\n"
            f"--- stdout\n{result.stdout[-15000:]}\n--- stderr\n{result.stderr[-15000:]}",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (RedisError, OSError) as exc:
        pytest.fail(
            f"The template's tests need a real Redis at {REDIS_URL} ({exc}). Start one with\n"
            '  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
            pytrace=False,
        )
    return REDIS_URL


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    try:
        with socket.create_connection(("127.0.0.1", 5672), timeout=2):
            pass
    except OSError as exc:
        pytest.fail(
            f"The RabbitMQ variant's tests need RabbitMQ on 127.0.0.1:5672 ({exc}). "
            "Start it with `rabbitmq-server -detached` (Debian: apt-get install rabbitmq-server).",
            pytrace=False,
        )
    return RABBITMQ_URL


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
from {DEFAULT_PACKAGE}.runtime import discover_jobs
from {DEFAULT_PACKAGE}.runtime._core.celery_app import make_celery
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
        API_PORT=str(free_port()),
        FLOWER_PORT=str(free_port()),
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
