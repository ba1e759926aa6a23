"""The runtime's knobs: broker, job store, timeouts, logs, metrics and access. The
service's own settings class extends this one (`<package>/settings.py`), so every knob
is read from the environment (or `.env`) in one place."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Seconds = Annotated[float, Field(gt=0)]
# As long as Flower's password must be: the token guards dead letters and user data.
MIN_ADMIN_TOKEN_LENGTH = 16


class RuntimeSettings(BaseSettings):
    # .env.secrets holds what Copier generated (it may be missing); .env, the user's
    # own, wins over it, and the environment wins over both. Empty values
    # (`BROKER_URL=` in .env) mean "use the default".
    model_config = SettingsConfigDict(
        env_file=(".env.secrets", ".env"), extra="ignore", env_ignore_empty=True
    )

    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis for job records, idempotency keys and task results. With Redis "
        "Sentinel: every Sentinel, separated by ';' "
        "(sentinel://:password@s1:26379/0;sentinel://s2:26379;sentinel://s3:26379).",
    )
    redis_master_name: str = Field(
        "mymaster",
        min_length=1,
        description="With sentinel:// URLs: the name the Sentinels know the master by.",
    )
    redis_replica_acks: int | None = Field(
        None,
        ge=0,
        description="Replicas that must hold a write before it counts (Redis WAIT), so a "
        "failover right after cannot lose it: a job's idempotent commit waits for them "
        "(else the job retries), and on a Redis broker so does every publish: the API's 202 "
        "(else 503), the outbox relay, scripts, send_task, retries, Beat. "
        "Empty: 1 with Sentinel, 0 (no waiting) otherwise.",
    )
    broker_url: str = Field(
        "",
        description="The Celery broker: redis:// or sentinel:// (Redis), amqp:// (RabbitMQ; "
        "results and job records stay in Redis). A RabbitMQ cluster: its nodes' URLs "
        "separated by ';', tried in turn when one fails. Empty: the Redis of REDIS_URL.",
    )
    rabbitmq_queue_type: Literal["quorum", "classic"] = Field(
        "quorum",
        description="quorum: queues replicated across a RabbitMQ cluster. classic: the "
        "single-node queues of services rendered before 0.4.0, for an updated service "
        "whose broker still holds them (docs/updating.md).",
    )
    priority_queues: bool = Field(
        False,
        description="Route jobs to the queues high, default and low (a JobSpec's queue); "
        "off: every job goes to default.",
    )
    key_prefix: str = Field(
        "jobs:",
        description="Prefix of every Redis key, so services (or test runs) can share "
        "one Redis without seeing each other's jobs.",
    )
    queue_prefix: str = Field(
        "",
        # RabbitMQ routes retry countdowns by topic patterns, where '.' separates words
        # and '#' and '*' are wildcards: another service's queues could match.
        pattern=r"^[^.#*]*$",
        description="Prefix of every broker queue name, so services (or test runs) can "
        "share one broker (or RabbitMQ vhost).",
    )
    worker_queues: str = Field(
        "",
        pattern=r"^[a-z,]*$",
        description="Comma-separated queues this worker consumes, in priority order "
        "(the Procfile sets it per worker); empty: all of them.",
    )

    enqueue_timeout: Seconds = Field(
        0.8,
        description="Longest an HTTP request waits for the broker to accept a job "
        "before answering 503.",
    )
    broker_socket_timeout: Seconds = Field(
        0.5,
        description="Connect and read timeout of broker and Redis sockets: a dead "
        "broker must fail fast instead of hanging a request or a worker.",
    )
    broker_health_check_interval: Seconds = Field(
        10, description="Seconds between PINGs on idle Redis connections."
    )
    retry_after: int = Field(
        5, gt=0, description="Retry-After header (seconds) sent with 503 answers."
    )
    publish_queue_size: int = Field(
        2048,
        gt=0,
        description="Jobs that may wait for the API's publisher; beyond it new jobs are "
        "refused at once (503 with Retry-After): backpressure.",
    )
    publish_batch_size: int = Field(
        100, gt=0, description="Most jobs the API's publisher sends in one batch."
    )
    max_request_bytes: int = Field(
        64 * 1024, gt=0, description="Larger request bodies are refused with 413."
    )
    max_header_bytes: int = Field(
        32 * 1024,
        gt=0,
        description="Larger request heads (request line and headers) are refused with 431.",
    )
    request_read_timeout: Seconds = Field(
        10,
        description="A request not received whole this many seconds after its first byte "
        "is refused with 408 (a client sending slowly holds a connection no longer).",
    )

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
    database_url: SecretStr = Field(
        SecretStr(""),
        description="PostgreSQL, as a SQLAlchemy URL with the psycopg driver "
        "(postgresql+psycopg://user:password@host:5432/name); empty: no database (no "
        "outbox, no sessions).",
    )
    database_pool_size: int = Field(
        5, gt=0, description="Connections each process keeps (as many again in bursts)."
    )
    database_timeout: Seconds = Field(
        3,
        description="Longest wait for a connection: beyond it the API answers 503 and a "
        "task retries.",
    )
    database_application_name: str = Field(
        "jobs",
        description="How the service's connections appear in pg_stat_activity.",
    )
    outbox_poll_interval: Seconds = Field(
        0.5, description="How often the relay looks for new outbox records when idle."
    )
    outbox_batch_size: int = Field(
        100, gt=0, description="Most outbox records the relay publishes in one transaction."
    )
    outbox_retention_days: int = Field(
        7, gt=0, description="Sent outbox records are deleted after this many days."
    )
    relay_metrics_port: int | None = Field(
        None,
        gt=0,
        lt=65536,
        description="Port of the relay's Prometheus endpoint (the Procfile and containers "
        "set it); empty: no endpoint.",
    )
    relay_metrics_address: str = Field(
        "127.0.0.1", description="Address the relay's metrics endpoint listens on."
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
    admin_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token for /admin (dead letters) and user data, at least 16 "
        "characters; empty: those routes answer 404.",
    )
    flower_user: str = Field("admin", min_length=1)
    flower_password: SecretStr = Field(
        SecretStr(""),
        description="Flower refuses to start without it; Copier generates one into .env.secrets.",
    )

    @field_validator("admin_token")
    @classmethod
    def _admin_token_is_strong(cls, token: SecretStr) -> SecretStr:
        if 0 < len(token.get_secret_value()) < MIN_ADMIN_TOKEN_LENGTH:
            raise ValueError(
                f"ADMIN_TOKEN must be empty (admin routes off) or at least "
                f"{MIN_ADMIN_TOKEN_LENGTH} characters: it guards dead letters and user "
                "data (`python -c 'import secrets; print(secrets.token_hex(32))'` makes one)"
            )
        return token

    @model_validator(mode="after")
    def _enqueue_outlasts_one_connect(self) -> "RuntimeSettings":
        if self.enqueue_timeout <= self.broker_socket_timeout:
            raise ValueError(
                "ENQUEUE_TIMEOUT must be longer than BROKER_SOCKET_TIMEOUT, or every "
                "slow connect is reported as an outage"
            )
        return self

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def has_database(self) -> bool:
        """A database is configured: the outbox, its relay and sessions are on."""
        return bool(self.database_url.get_secret_value())

    @property
    def effective_replica_acks(self) -> int:
        if self.redis_replica_acks is not None:
            return self.redis_replica_acks
        return 1 if self.redis_url.startswith("sentinel://") else 0
