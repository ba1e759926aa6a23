"""Each measurement runs under key and queue prefixes of its own, so it can share a
Redis (and broker) with a running service, and deletes what it wrote afterwards. When
DATABASE_URL is set, the run has a database of its own too (`own_database`), created
on the server it names and dropped at the end."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from bench_service import jobs
from bench_service.settings import Settings
from default_celery import defaults_queue
from kombu import Exchange, Queue
from kombu.exceptions import ChannelError

from durable_jobs import discover_jobs
from durable_jobs._core.broker_options import is_redis
from durable_jobs._core.celery_app import make_celery
from durable_jobs._core.redis_client import redis_client
from durable_jobs.testing.process_supervisor import ManagedProcess
from durable_jobs.testing.service_state import remove_service_state

BENCH = Path(__file__).resolve().parent
# Longest any measurement waits for a worker before it gives up and says so.
WAIT_TIMEOUT = 300


def fresh_settings() -> Settings:
    """The settings the processes under test read (environment, then .env), with
    prefixes of this measurement's own."""
    run = uuid.uuid4().hex[:8]
    return Settings(key_prefix=f"bench-{run}:", queue_prefix=f"bench-{run}-")


def run_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a process under test: these prefixes, the bench's modules
    importable, the log level a service ships with unless LOG_LEVEL says otherwise."""
    return {
        **os.environ,
        "KEY_PREFIX": settings.key_prefix,
        "QUEUE_PREFIX": settings.queue_prefix,
        "PYTHONPATH": str(BENCH),
        **extra,
    }


def wait_for(
    condition: Callable[[], bool], what: str, worker: ManagedProcess | None = None
) -> None:
    """Poll `condition`; fail with `what` (and the worker's log) after WAIT_TIMEOUT
    seconds, or at once when the worker it waits for has exited."""
    deadline = time.monotonic() + WAIT_TIMEOUT
    while not condition():
        if worker is not None and not worker.alive():
            raise RuntimeError(f"the worker exited before {what}:\n{worker.output()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} after {WAIT_TIMEOUT} s")
        time.sleep(0.001)


# The baselines' queues (default_celery.py, baseline_app.py), beside the bench service's.
BASELINE_QUEUES = ("naive", "naive-quorum")


def delete_run(settings: Settings) -> None:
    """Every queue and key of the run: the bench service's (as a test run's are
    removed) and the baselines'."""
    remove_service_state(settings, discover_jobs(jobs))
    names = [defaults_queue(settings), *(settings.queue_prefix + name for name in BASELINE_QUEUES)]
    app = make_celery(settings, ())
    with app.connection_for_write() as connection:
        for name in names:
            with connection.channel() as channel, contextlib.suppress(ChannelError):
                Queue(name).bind(channel).delete()
            with connection.channel() as channel, contextlib.suppress(ChannelError):
                Exchange(name).bind(channel).delete()  # Celery's default: the queue's name
    if is_redis(settings.effective_broker_url):
        # The naive baseline's app has no key prefix: its queue and kombu's bindings
        # carry the run's queue prefix only.
        redis = redis_client(settings)
        keys = list(redis.scan_iter(f"*{settings.queue_prefix}*", count=1000))
        if keys:
            redis.delete(*keys)


@contextlib.contextmanager
def own_database() -> Iterator[None]:
    """With DATABASE_URL set, it names, for this process and those it starts, a new
    empty database on the same server (the API's readiness asks it; no measured path
    writes to it), dropped afterwards: its user must be allowed to create one. Without
    DATABASE_URL, nothing."""
    configured = Settings().database_url.get_secret_value()
    if not configured:
        yield
        return
    from sqlalchemy import make_url  # noqa: PLC0415 (the database extra)

    from durable_jobs.testing.databases import own_database as new_database  # noqa: PLC0415

    server = make_url(configured).set(database="postgres").render_as_string(hide_password=False)
    previous = os.environ.get("DATABASE_URL")
    with new_database(server, "bench") as url:
        os.environ["DATABASE_URL"] = url
        try:
            yield
        finally:
            if previous is None:
                del os.environ["DATABASE_URL"]
            else:
                os.environ["DATABASE_URL"] = previous
