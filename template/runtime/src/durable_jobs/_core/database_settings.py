"""The database, when DATABASE_URL is set: its pool, and the outbox relay."""

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings

from .connection_settings import Seconds


class DatabaseSettings(BaseSettings):
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
