"""How long jobs are remembered, and how the worker, Beat and Flower run and log."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from .connection_settings import Seconds


class ProcessSettings(BaseSettings):
    job_record_ttl: int = Field(
        7 * 24 * 3600,
        gt=0,
        description="How long accepted job ids and kept results stay queryable.",
    )
    idempotency_ttl: int = Field(
        7 * 24 * 3600,
        gt=0,
        description="How long a finished idempotency key is remembered.",
    )
    unacked_restore_interval: Seconds = Field(
        60,
        description="How often a worker looks for jobs a dead worker left unacked.",
    )
    visibility_timeout: int | None = Field(
        None,
        gt=0,
        description="Seconds before a job reserved by a worker that vanished is handed to "
        "another. Empty: computed from the job catalog (longest hard time limit plus "
        "longest retry countdown plus a margin). Lower recovers faster from a dead "
        "worker, but a job still running past it is started a second time.",
    )
    heartbeat_file: Path | None = Field(
        None,
        description="File the worker and Beat touch every 10 s for liveness probes "
        "(the service's `probes fresh FILE 60`); empty: none.",
    )
    worker_soft_shutdown_timeout: float = Field(
        30,
        ge=0,
        description="On a cold shutdown (SIGQUIT, or SIGTERM with REMAP_SIGTERM=SIGQUIT "
        "as in the containers), seconds running jobs get to finish before they are "
        "handed back to the broker for another worker. Keep the container's grace "
        "period above it.",
    )
    log_level: str = Field("INFO", pattern="^(DEBUG|INFO|WARNING|ERROR|CRITICAL)$")
    log_task_results: bool = Field(
        False,
        description="Let Celery's success line print each task's result. Off: results "
        "hold personal data (recipients, receipts); turn it on only to debug, never in "
        "production.",
    )
    log_format: str = Field(
        "json",
        pattern="^(json|console)$",
        description="json: one JSON object per line (for log collectors); console: for people.",
    )
    worker_metrics_port: int | None = Field(
        None,
        gt=0,
        lt=65536,
        description="Port of the worker's Prometheus endpoint (the Procfile and containers "
        "set it, with PROMETHEUS_MULTIPROC_DIR); empty: no endpoint.",
    )
    worker_metrics_address: str = Field(
        "127.0.0.1", description="Address the worker's metrics endpoint listens on."
    )
    flower_user: str = Field("admin", min_length=1)
    flower_password: SecretStr = Field(
        SecretStr(""),
        description="Flower refuses to start without it; Copier generates one into .env.secrets.",
    )
    flower_broker_api: SecretStr = Field(
        SecretStr(""),
        description="RabbitMQ's management API (http://user:password@host:15672/api/), from "
        "which Flower shows the broker's queues and their lengths (its --broker_api).",
    )
