"""Worker figures: no-op jobs per second from a worker's first job to its last, and
the time from starting a worker to its first finished job."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bench_service import jobs as bench_jobs
from bench_service.jobs.noop import Nothing, done_key, noop
from bench_service.settings import Settings
from default_celery import defaults_app
from isolation import delete_run, fresh_settings, run_env, wait_for
from redis import Redis

from durable_jobs import JobClient, discover_jobs
from durable_jobs.testing.process_supervisor import ManagedProcess, ProcessSupervisor

# The runtime's worker, as a service's Procfile starts it, on the bench's jobs.
OURS = ["python", "-m", "bench_service.worker"]
DEFAULTS = ["celery", "--app", "default_celery", "worker"]
FLAGS = ["--concurrency", "2", "--without-mingle", "--without-gossip", "--loglevel", "WARNING"]


def publish_ours(settings: Settings, jobs: int) -> None:
    client = JobClient(settings, discover_jobs(bench_jobs))
    for _ in range(jobs):
        client.publish(noop, Nothing())
    client.close()


def publish_defaults(settings: Settings, jobs: int) -> None:
    """Into the queue `default_celery` consumes, the plain way."""
    app = defaults_app(settings, "publisher")
    with app.producer_or_acquire() as producer:
        for _ in range(jobs):
            app.send_task("bench.noop", args=[{}], producer=producer)


def run_worker(
    argv: list[str],
    settings: Settings,
    logs: Path,
    measure: Callable[[Redis, str, ManagedProcess], float],
    cwd: Path,
) -> float:
    redis = Redis.from_url(settings.redis_url)
    supervisor = ProcessSupervisor(logs)
    try:
        name = f"worker-{settings.key_prefix[:-1]}"
        # Both workers log at WARNING (FLAGS), so neither pays for a line per job.
        env = run_env(settings, WORKER_METRICS_PORT="", LOG_LEVEL="WARNING")
        worker = supervisor.start(name, argv, env=env, cwd=cwd)
        return measure(redis, done_key(settings.key_prefix), worker)
    finally:
        supervisor.stop_all()
        delete_run(settings)


def done(redis: Redis, key: str) -> int:
    return int(redis.get(key) or 0)


def throughput(
    argv: list[str], jobs: int, logs: Path, cwd: Path, *, defaults: bool = False
) -> float:
    """No-op jobs per second, first job to last (start-up left out)."""
    settings = fresh_settings()
    (publish_defaults if defaults else publish_ours)(settings, jobs)

    def measure(redis: Redis, key: str, worker: ManagedProcess) -> float:
        wait_for(lambda: done(redis, key) > 0, "first no-op job", worker)
        first, started = done(redis, key), time.perf_counter()
        wait_for(lambda: done(redis, key) >= jobs, f"{jobs} no-op jobs done", worker)
        return (jobs - first) / (time.perf_counter() - started)

    return run_worker([*argv, *FLAGS], settings, logs, measure, cwd)


def production_environment(project: Path, directory: Path) -> Path:
    """A virtual environment with the project's dependencies only, bytecode compiled,
    as the container image has it (`uv sync --no-dev`): a worker's start is mostly
    imports, and the development tools installed beside it add their own."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["UV_PROJECT_ENVIRONMENT"] = str(directory)
    subprocess.run(
        ["uv", "sync", "--frozen", "--no-dev", "--compile-bytecode", "--quiet"],
        cwd=project,
        env=env,
        check=True,
    )
    return directory / "bin"


def start_to_first_job(logs: Path, bin_dir: Path, cwd: Path, *, defaults: bool = False) -> float:
    """Seconds from starting a worker (the service's, or Celery's defaults) from the
    environment in `bin_dir` to its first finished job."""
    settings = fresh_settings()
    (publish_defaults if defaults else publish_ours)(settings, 1)
    argv = [*(DEFAULTS if defaults else OURS), *FLAGS]
    argv[0] = str(bin_dir / argv[0])
    started = time.perf_counter()

    def measure(redis: Redis, key: str, worker: ManagedProcess) -> float:
        wait_for(lambda: done(redis, key) > 0, "first job", worker)
        return time.perf_counter() - started

    return run_worker(argv, settings, logs, measure, cwd)
