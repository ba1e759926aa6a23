"""Fixtures of the runtime's tests: the fixture service (fixture_service/, booted as the
Procfile beside this file says), isolated settings, the servers its configuration
needs (a private database of the run's own when DATABASE_URL is set), real processes.

The configuration under test is the environment's, as for any service: BROKER_URL
(Redis when unset), DATABASE_URL (the server the run's database is created on),
PRIORITY_QUEUES. Tests of what another configuration does skip (support/service.py)."""

import importlib.util
import os
import subprocess
import sys
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from fixture_service.integrations.mailer import mailer
from fixture_service.integrations.storage import storage
from fixture_service.settings import Settings, get_settings
from pydantic import SecretStr
from redis import Redis
from support.service import (
    CONFIGURED,
    DATABASE_SERVER,
    SERVICE_JOBS,
    WITH_DATABASE,
    WITH_PRIORITY_QUEUES,
)

import durable_jobs.testing
from durable_jobs._worker import resources
from durable_jobs.testing import (
    ManagedProcess,
    ProcessSupervisor,
    ServerUnavailable,
    free_port,
    http_ok,
    log_matches,
    procfile_argv,
    remove_service_state,
    servers_in_environment,
)

TESTS_DIR = Path(__file__).resolve().parent
# The fixture service's "project": its Procfile, and the folder its processes run in.
PROJECT_DIR = TESTS_DIR
CELERY_APP = "fixture_service.worker.app"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WORKER_READY = r"\S+@\S+ ready\."
RELAY_READY = "outbox relay started"
# Resilience tests trade duplicate starts of long jobs for recovery in seconds (see
# VISIBILITY_TIMEOUT in settings.py); their chaos jobs are short and idempotent.
FAST_RECOVERY = {"visibility_timeout": 5, "unacked_restore_interval": 1, "retry_after": 1}
ADMIN_TOKEN = "test-admin-token-not-a-secret"
# Tests of the processes of an extra, collected only where it is installed (a project
# runs this suite with the extras of its own options).
EXTRA_TESTS = {
    "integration/test_flower.py": "flower",
    "integration/test_flower_on_rabbitmq.py": "flower",
    "resilience/test_beat_failover.py": "redbeat",
    "integration/test_outbox.py": "sqlalchemy",
    "integration/test_welcome_email_with_a_database.py": "sqlalchemy",
    "resilience/test_outbox_relay.py": "sqlalchemy",
    "integration/test_amqp_enqueue.py": "aio_pika",
}
collect_ignore = [
    path for path, extra in EXTRA_TESTS.items() if not importlib.util.find_spec(extra)
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.integration)
        if "resilience" in item.path.parts:
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.resilience)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        for value in getattr(item, "funcargs", {}).values():
            if isinstance(value, ProcessSupervisor | RunningService):
                report.sections.append(("logs of the processes", value.report()))
    return report


@pytest.fixture(scope="session")
def servers() -> Iterator[None]:
    """The servers this configuration needs (durable_jobs.testing.servers): those the
    environment names, else the default addresses if they answer, else private ones.
    Their URLs go into the environment, where settings and service processes read them."""
    if DATABASE_SERVER:
        os.environ.setdefault("TEST_DATABASE_SERVER", DATABASE_SERVER)
    try:
        with servers_in_environment(CONFIGURED):
            yield
    except ServerUnavailable as exc:
        pytest.fail(f"{exc}\n`pytest tests/unit` runs the tests that need none.", pytrace=False)


# The run's configuration, which unit tests keep out: they build settings from
# explicit values.
RUN_CONFIGURATION = ("BROKER_URL", "DATABASE_URL", "PRIORITY_QUEUES", "TEST_DATABASE_SERVER")


@pytest.fixture(autouse=True)
def _servers_for_integration_tests(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    if request.node.get_closest_marker("integration"):
        request.getfixturevalue("servers")
        return
    for name in RUN_CONFIGURATION:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def redis_url(servers: None) -> str:
    return os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)


@pytest.fixture(scope="session")
def database_url(servers: None) -> Iterator[str]:
    """A database of this test run's own, migrated to the newest revision, dropped at
    the end. Settings built from then on (and the services' environments) use it."""

    # The database extra's (collected without it, these tests skip before asking).
    from fixture_service.db.migrate import upgrade  # noqa: PLC0415

    from durable_jobs.testing.databases import DatabaseRefused, own_database  # noqa: PLC0415

    def migrate(url: str) -> None:
        upgrade(Settings(_env_file=None, database_url=SecretStr(url)))

    server = os.environ["TEST_DATABASE_SERVER"]
    try:
        with (
            own_database(server, "test_fixture_service", migrate) as url,
            pytest.MonkeyPatch.context() as environment,
        ):
            environment.setenv("DATABASE_URL", url)
            yield url
    except DatabaseRefused as exc:
        pytest.fail(str(exc), pytrace=False)


def make_settings(directory: Path) -> Settings:
    """Settings for one test or service: its own prefixes and directories, no `.env`."""
    run_id = uuid.uuid4().hex[:10]
    return Settings(
        _env_file=None,
        redis_url=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        key_prefix=f"test-{run_id}:",
        queue_prefix=f"test-{run_id}-",
        storage_dir=directory / "storage",
        mail_dir=directory / "mail",
        admin_token=SecretStr(ADMIN_TOKEN),
    )


def clean_up(settings: Settings) -> None:
    """Delete what a test left on the shared Redis and broker."""
    remove_service_state(settings, SERVICE_JOBS)


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if WITH_DATABASE:
        request.getfixturevalue("database_url")
    return make_settings(tmp_path)


@pytest.fixture
def redis(redis_url: str, settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(redis_url, decode_responses=True)
    yield client
    clean_up(settings)


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment a service process gets: these settings, nothing from `.env`; the
    fixture service and the chaos jobs importable from here (they are not installed)."""
    paths = os.pathsep.join([str(TESTS_DIR), str(TESTS_DIR / "resilience")])
    return durable_jobs.testing.service_env(settings, PYTHONPATH=paths, **extra)


class Cached(Protocol):
    def cache_clear(self) -> None: ...


def run_tasks_here(monkeypatch: pytest.MonkeyPatch, settings: Settings, *more: Cached) -> None:
    """Tasks called in this process (as a shell or a test would) run on `settings`: the
    environment a worker gets, the fixture service's cached settings and clients (and
    `more`) read again, the runtime's resources configured."""
    for name, value in service_env(settings).items():
        monkeypatch.setenv(name, value)
    for cached in (get_settings, mailer, storage, *more):
        cached.cache_clear()
    resources.configure(get_settings(), SERVICE_JOBS)


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[ProcessSupervisor]:
    processes = ProcessSupervisor(tmp_path / "logs")
    yield processes
    processes.stop_all()


def celery_cli(settings: Settings, *args: str, exit_code: int = 0) -> str:
    """`celery --app <package>.worker.app ...`, as an operator of the service runs it;
    what it printed (both streams)."""
    result = subprocess.run(
        [sys.executable, "-m", "celery", "--app", CELERY_APP, *args],
        env=service_env(settings),
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == exit_code, result.stdout + result.stderr
    return result.stdout + result.stderr


def start_worker(
    supervisor: ProcessSupervisor,
    settings: Settings,
    name: str = "worker",
    *extra_args: str,
    process: str = "worker",
    metrics_port: int | None = None,
) -> ManagedProcess:
    """A worker as the Procfile starts it; its metrics endpoint only when asked for, so
    tests running side by side never compete for the Procfile's port."""
    argv = procfile_argv(PROJECT_DIR, process)
    argv[-1] = " ".join([argv[-1], *extra_args])
    port = "" if metrics_port is None else str(metrics_port)
    env = service_env(
        settings,
        WORKER_METRICS_PORT=port,
        WORKER_LOW_METRICS_PORT=port,
        PROMETHEUS_MULTIPROC_DIR=str(settings.storage_dir.parent / "metrics" / name),
    )
    return supervisor.start(name, argv, env=env, cwd=PROJECT_DIR, ready=log_matches(WORKER_READY))


def service_workers() -> list[tuple[str, str]]:
    """The Procfile's workers this configuration runs, with the queues each consumes."""
    if WITH_PRIORITY_QUEUES:
        return [("worker", "high,default"), ("worker_low", "low")]
    return [("worker", "")]


def start_chaos_worker(
    supervisor: ProcessSupervisor, settings: Settings, name: str = "worker"
) -> ManagedProcess:
    """A worker that also runs the chaos tasks of tests/resilience/chaos_tasks.py."""
    return start_worker(supervisor, settings, name, "--include chaos_tasks", "--concurrency 2")


@pytest.fixture
def fast_recovery_settings(settings: Settings) -> Settings:
    return settings.model_copy(update=FAST_RECOVERY)


def start_api(supervisor: ProcessSupervisor, settings: Settings) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor.start(
        "api",
        procfile_argv(PROJECT_DIR, "api"),
        env=service_env(settings, API_PORT=str(port)),
        cwd=PROJECT_DIR,
        ready=http_ok(f"{url}/healthz"),
    )
    return url


FLOWER_PASSWORD = "a-test-password-long-enough"


def start_flower(
    supervisor: ProcessSupervisor, settings: Settings, cwd: Path = PROJECT_DIR, **env: str
) -> str:
    """Flower as the Procfile starts it, with FLOWER_PASSWORD, in `cwd`; its URL. What
    the `.env` there sets is left out of the environment, so it is read from there."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    environment = service_env(
        settings, FLOWER_PASSWORD=FLOWER_PASSWORD, FLOWER_PORT=str(port), **env
    )
    dotenv = cwd / ".env"
    for line in dotenv.read_text().splitlines() if cwd != PROJECT_DIR else []:
        environment.pop(line.partition("=")[0], None)
    supervisor.start(
        "flower",
        procfile_argv(PROJECT_DIR, "flower"),
        env=environment,
        cwd=cwd,
        ready=http_ok(f"{url}/healthcheck"),
    )
    return url


@dataclass
class RunningService:
    url: str
    settings: Settings
    redis: Redis
    supervisor: ProcessSupervisor
    # Each process's Prometheus endpoint but the API's (workers, relay), by Procfile name.
    metrics_urls: dict[str, str]

    def report(self) -> str:
        return self.supervisor.report()


def start_relay(
    supervisor: ProcessSupervisor, settings: Settings, metrics_port: int | None = None
) -> ManagedProcess:
    """The relay as the Procfile starts it; its metrics endpoint only when asked for."""
    port = "" if metrics_port is None else str(metrics_port)
    return supervisor.start(
        "relay",
        procfile_argv(PROJECT_DIR, "relay"),
        env=service_env(settings, RELAY_METRICS_PORT=port),
        cwd=PROJECT_DIR,
        ready=log_matches(RELAY_READY),
    )


@pytest.fixture(scope="module")
def service(
    redis_url: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningService]:
    """The API, the workers and (with a database) the outbox relay as separate
    processes, started as the Procfile says."""
    if WITH_DATABASE:
        request.getfixturevalue("database_url")
    directory = tmp_path_factory.mktemp("service")
    settings = make_settings(directory)
    supervisor = ProcessSupervisor(directory / "logs")
    client = Redis.from_url(redis_url, decode_responses=True)
    metrics: dict[str, str] = {}
    try:
        for process, queues in service_workers():
            port = free_port()
            worker_settings = settings.model_copy(update={"worker_queues": queues})
            start_worker(supervisor, worker_settings, process, process=process, metrics_port=port)
            metrics[process] = f"http://127.0.0.1:{port}/metrics"
        if WITH_DATABASE:
            port = free_port()
            start_relay(supervisor, settings, metrics_port=port)
            metrics["relay"] = f"http://127.0.0.1:{port}/metrics"
        api = start_api(supervisor, settings)
        yield RunningService(api, settings, client, supervisor, metrics)
    finally:
        supervisor.stop_all()
        clean_up(settings)
