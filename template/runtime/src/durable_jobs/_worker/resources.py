"""What the worker's machinery uses: the settings and jobs `install` was given, and what
is built from them once per worker process on first use."""

from functools import lru_cache
from typing import Any

from .._core.declaration import Job
from .._core.idempotency import IdempotencyGuard
from .._core.records import JobRecords
from .._core.redis_client import redis_client, replica_wait_ms
from .._core.settings import RuntimeSettings

_installed: tuple[RuntimeSettings, tuple[Job[Any], ...]] | None = None


def configure(settings: RuntimeSettings, jobs: tuple[Job[Any], ...]) -> None:
    global _installed  # noqa: PLW0603  (one worker app per process)
    _installed = (settings, jobs)
    job_records.cache_clear()


def _configured() -> tuple[RuntimeSettings, tuple[Job[Any], ...]]:
    if _installed is None:
        raise RuntimeError(
            "the worker runtime is not installed: build the app with create_worker_app()"
        )
    return _installed


def settings() -> RuntimeSettings:
    return _configured()[0]


def jobs() -> tuple[Job[Any], ...]:
    return _configured()[1]


@lru_cache(maxsize=1)
def job_records() -> JobRecords:
    return JobRecords.for_settings(settings())


def idempotency_guard(time_limit: int) -> IdempotencyGuard:
    # The lease outlives the hard time limit: a holder cannot run longer than that,
    # so once the lease is gone its holder is too.
    current = settings()
    return IdempotencyGuard(
        redis_client(current),
        current.key_prefix,
        lease_seconds=time_limit + 5,
        done_ttl_seconds=current.idempotency_ttl,
        replica_acks=current.effective_replica_acks,
        replica_wait_ms=replica_wait_ms(current.broker_socket_timeout),
    )
