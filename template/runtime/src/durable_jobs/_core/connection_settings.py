"""How the runtime reaches Redis and the broker, and names what it keeps there."""

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings

Seconds = Annotated[float, Field(gt=0)]


class ConnectionSettings(BaseSettings):
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
        description="Prefix of every broker queue name, so services (or test runs) can "
        "share one broker (or RabbitMQ vhost), e.g. 'orders-'. No '.', '#' or '*'.",
    )
    worker_queues: str = Field(
        "",
        pattern=r"^[a-z,]*$",
        description="Comma-separated queues this worker consumes, in priority order "
        "(the Procfile sets it per worker); empty: all of them.",
    )
    broker_socket_timeout: Seconds = Field(
        0.5,
        description="Connect and read timeout of broker and Redis sockets: a dead "
        "broker must fail fast instead of hanging a request or a worker.",
    )
    broker_health_check_interval: Seconds = Field(
        10, description="Seconds between PINGs on idle Redis connections."
    )

    @field_validator("queue_prefix")
    @classmethod
    def _queue_prefix_matches_only_its_own_queues(cls, prefix: str) -> str:
        # RabbitMQ routes retry countdowns by topic patterns ('#.<queue>'), where '.'
        # separates words and '#' and '*' are wildcards: with 'orders.' as a prefix,
        # another service's pattern '#.default' would match 'orders.default'.
        refused = sorted({c for c in prefix if c in ".#*"})
        if refused:
            raise ValueError(
                f"QUEUE_PREFIX may not contain {' or '.join(repr(c) for c in refused)} "
                "(RabbitMQ's routing patterns treat them as separators and wildcards, so "
                "another service's queues could receive this one's messages): use "
                "letters, digits, '-' or '_', e.g. 'orders-'"
            )
        return prefix

    @field_validator("redis_url", "broker_url")
    @classmethod
    def _urls_can_be_read(cls, value: str, info: ValidationInfo) -> str:
        """Refused at start-up, not at the first job (a 500 whose traceback held the
        part of the password after an unencoded '/'); the message quotes no part."""
        for url in filter(None, (part.strip() for part in value.split(";"))):
            try:
                parts = urlsplit(url)
                readable = bool(parts.scheme and parts.hostname) and parts.port != 0
            except ValueError:
                readable = False
            if not readable:
                raise ValueError(
                    f"{str(info.field_name).upper()} is not a URL the service can read "
                    "(scheme://user:password@host:port/...): percent-encode the user and "
                    "password ('/' as %2F, '@' as %40, ':' as %3A, '#' as %23)"
                ) from None
        return value
