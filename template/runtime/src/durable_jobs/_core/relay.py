"""The outbox relay: `python -m <package>.relay`, one process beside the API.

Publishes the jobs the API committed to the outbox (`outbox.py`) and marks them
sent. It keeps going through broker and database outages, waiting longer between
attempts while they last, so that what was committed meanwhile drains once they end.
It touches HEARTBEAT_FILE on every round (liveness: a relay that hangs goes stale, one
waiting out an outage does not) and serves Prometheus metrics on RELAY_METRICS_PORT.
SIGTERM finishes the current batch and exits. More than one relay may run: they share
the outbox without publishing a record twice at once.
"""

import logging
import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any

from prometheus_client import Counter, Gauge, start_http_server
from sqlalchemy.exc import SQLAlchemyError

from .celery_app import make_celery
from .database import sync_engine, sync_sessions
from .declaration import Job
from .logs import configure_logging
from .outbox import OutboxRelay
from .records import JobRecords
from .sending import BrokerUnavailable
from .settings import RuntimeSettings

log = logging.getLogger(__name__)
LONGEST_WAIT = 10.0
MEASURE_EVERY = 5.0
PURGE_EVERY = 3600.0


class RelayMetrics:
    """Created by the relay process only: the API and the worker import this module
    through the runtime's face, and their registries must not get these series."""

    def __init__(self) -> None:
        self.pending = Gauge(
            "outbox_pending_jobs", "Jobs committed to the outbox and not yet published."
        )
        self.oldest = Gauge(
            "outbox_oldest_pending_seconds",
            "Age of the oldest job waiting in the outbox (0: none).",
        )
        self.relayed = Counter("outbox_relayed_total", "Outbox records published to the broker.")
        self.failed = Counter(
            "outbox_relay_failures_total", "Relay rounds that failed, by error.", ["error"]
        )


class Every:
    """True once every `seconds`, starting with the first call."""

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        self._next = time.monotonic()

    def due(self) -> bool:
        if time.monotonic() < self._next:
            return False
        self._next = time.monotonic() + self._seconds
        return True


def relay_round(
    relay: OutboxRelay,
    settings: RuntimeSettings,
    metrics: RelayMetrics,
    measure: Every,
    purge: Every,
) -> int:
    """One round: measure the backlog (first: during a broker outage it is exactly what
    must stay visible), publish a batch, now and then delete old sent records."""
    if measure.due():
        pending, oldest = relay.backlog()
        metrics.pending.set(pending)
        metrics.oldest.set(oldest)
    sent = relay.relay_once()
    metrics.relayed.inc(sent)
    if purge.due():
        purged = relay.purge_sent(timedelta(days=settings.outbox_retention_days))
        log.info("purged %d sent outbox records", purged)
    return sent


def touch(path: Path) -> None:
    try:
        path.touch()
    except OSError as exc:
        log.warning("heartbeat file %s not touched: %s", path, exc)


def run(settings: RuntimeSettings, jobs: tuple[Job[Any], ...], stop: threading.Event) -> None:
    engine = sync_engine(settings)
    relay = OutboxRelay(
        sync_sessions(engine),
        make_celery(settings, jobs),
        JobRecords.for_settings(settings),
        settings.outbox_batch_size,
    )
    if settings.relay_metrics_port is not None:
        start_http_server(settings.relay_metrics_port, settings.relay_metrics_address)
    metrics = RelayMetrics()
    measure, purge = Every(MEASURE_EVERY), Every(PURGE_EVERY)
    wait = settings.outbox_poll_interval
    log.info("outbox relay started")
    try:
        while not stop.is_set():
            if settings.heartbeat_file is not None:
                touch(settings.heartbeat_file)
            try:
                sent = relay_round(relay, settings, metrics, measure, purge)
            except (BrokerUnavailable, SQLAlchemyError, OSError) as exc:
                metrics.failed.labels(type(exc).__name__).inc()
                wait = min(wait * 2, LONGEST_WAIT)
                log.warning("outbox not relayed, next attempt in %.1f s: %s", wait, exc)
                stop.wait(wait)
                continue
            wait = settings.outbox_poll_interval
            if sent:
                log.info("relayed %d outbox records", sent)
            if sent < settings.outbox_batch_size:
                stop.wait(wait)
    finally:
        engine.dispose()
        log.info("outbox relay stopped")


def run_relay(settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> None:
    """Relay until SIGTERM or SIGINT (`python -m <package>.relay`)."""
    configure_logging(settings.log_level, settings.log_format)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    run(settings, jobs, stop)
