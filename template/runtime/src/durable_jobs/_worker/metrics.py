"""The worker's Prometheus metrics, correct under the prefork pool.

Tasks run in pool processes, so their counters live in prometheus_client's
multiprocess files (PROMETHEUS_MULTIPROC_DIR, which must be in the environment before
Python starts: the Procfile and the containers set it); the main process serves the
sum of every process's files on WORKER_METRICS_PORT, plus the broker's view: jobs
waiting per queue (all priority lists added on Redis), messages reserved but not
acknowledged, and the age of the oldest waiting job.
"""

import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from celery import Celery, bootsteps
from kombu.exceptions import KombuError
from kombu.transport.redis import Channel as RedisChannel
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from .._core.broker_options import REDIS_PRIORITY_STEPS, is_redis, queue_name
from .._core.dead_letters import DeadLetters
from .._core.queues import service_queues
from .._core.redis_client import redis_client
from .._core.settings import RuntimeSettings
from . import resources
from .lost_jobs import waiting_in

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)

STARTED = Counter("celery_tasks_started_total", "Task runs started.", ["task"])
SUCCEEDED = Counter("celery_tasks_succeeded_total", "Task runs that succeeded.", ["task"])
FAILED = Counter("celery_tasks_failed_total", "Jobs that failed for good.", ["task", "exception"])
RETRIED = Counter(
    "celery_tasks_retried_total", "Task runs that ended in a retry.", ["task", "exception"]
)
RUNTIME = Histogram(
    "celery_task_runtime_seconds",
    "Time a task run took.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
QUEUE_WAIT = Histogram(
    "celery_task_queue_wait_seconds",
    "Time from publishing a job to a worker starting it (first attempts).",
    ["task"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900),
)


def metrics_enabled(settings: RuntimeSettings) -> bool:
    return settings.worker_metrics_port is not None


def prepare_multiprocess_dir(**_: Any) -> None:
    """Start from an empty directory, as prometheus_client requires, before the pool forks."""
    directory = os.environ.get(MULTIPROC_DIR)
    if not directory:
        if metrics_enabled(resources.settings()):
            raise SystemExit(
                f"WORKER_METRICS_PORT is set but {MULTIPROC_DIR} is not: the pool processes "
                "could not report. Set it (to a directory of this worker's own) in the "
                "environment the worker starts with, as the Procfile does."
            )
        return
    shutil.rmtree(directory, ignore_errors=True)
    Path(directory).mkdir(parents=True)


def forget_pool_process(pid: int | None = None, **_: Any) -> None:
    if os.environ.get(MULTIPROC_DIR):
        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]


class BrokerCollector(Collector):
    """Queue depth, dead letters, unacknowledged messages and the oldest waiting job,
    read at scrape time."""

    def __init__(self, app: Celery, settings: RuntimeSettings) -> None:
        self._app = app
        self._settings = settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "celery_queue_length", "Jobs waiting in a queue.", labels=["queue"]
        )
        try:
            for queue in service_queues(self._settings):
                depth.add_metric([queue], waiting_in(self._app, queue_name(self._settings, queue)))
            yield depth
            dead = GaugeMetricFamily(
                "jobs_dead_letters", "Jobs that failed for good and wait in the dead letters."
            )
            dead.add_metric([], DeadLetters.for_settings(self._settings).count())
            yield dead
            if is_redis(self._settings.effective_broker_url):
                yield from self._redis_only()
        except (KombuError, RedisError, OSError) as exc:
            log.warning("broker metrics skipped: %s", exc)

    def _redis_only(self) -> Iterator[GaugeMetricFamily]:
        redis = redis_client(self._settings)
        prefix = self._settings.key_prefix
        unacked = GaugeMetricFamily(
            "celery_unacked_messages",
            "Messages reserved by workers and not yet acknowledged.",
        )
        unacked.add_metric([], int(redis.hlen(f"{prefix}unacked")))
        yield unacked
        oldest = GaugeMetricFamily(
            "celery_queue_oldest_job_age_seconds",
            "Age of the next job a queue hands out (0 when empty).",
            labels=["queue"],
        )
        for queue in service_queues(self._settings):
            oldest.add_metric([queue], self._oldest_age(redis, prefix, queue))
        yield oldest

    def _oldest_age(self, redis: Any, prefix: str, queue: str) -> float:
        name = f"{prefix}{queue_name(self._settings, queue)}"
        ages = []
        for step in REDIS_PRIORITY_STEPS:
            # kombu pushes on the left and pops on the right: the right end is next.
            # kombu names a queue's priority lists "<queue><separator><step>".
            raw = redis.lindex(f"{name}{RedisChannel.sep}{step}" if step else name, -1)
            if raw:
                enqueued_at = json.loads(raw).get("headers", {}).get("enqueued_at")
                if enqueued_at:
                    ages.append(time.time() - float(enqueued_at))
        return max(ages, default=0.0)


class MetricsServer(bootsteps.StartStopStep):
    """Serves the metrics on WORKER_METRICS_PORT from the worker's main process."""

    def start(self, parent: Any) -> None:
        settings = resources.settings()
        port = settings.worker_metrics_port
        if port is None:
            return
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(BrokerCollector(parent.app, settings))
        try:
            start_http_server(port, addr=settings.worker_metrics_address, registry=registry)
        except OSError as exc:
            # Jobs matter more than their metrics: keep working, say so loudly.
            log.error(
                "worker metrics not served on port %s (WORKER_METRICS_PORT): %s; "
                "the worker runs jobs without them",
                port,
                exc,
            )
            return
        log.info("worker metrics on http://%s:%s/metrics", settings.worker_metrics_address, port)
