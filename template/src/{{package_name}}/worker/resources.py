"""What tasks and the worker's bookkeeping use, built once per worker process on first
use."""

from functools import lru_cache
from typing import Any

from ..jobs.catalog import JobSpec
from ..jobs.idempotency import IdempotencyGuard
from ..jobs.records import JobRecords
from ..jobs.redis_client import redis_client
from ..jobs.storage import LocalDirectoryStorage
from ..settings import Settings, get_settings
from .mailer import Mailer


def settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def job_records() -> JobRecords:
    return JobRecords.for_settings(settings())


def idempotency_for(spec: JobSpec[Any]) -> IdempotencyGuard:
    # The lease outlives the hard time limit: a holder cannot run longer than that,
    # so once the lease is gone its holder is too.
    current = settings()
    return IdempotencyGuard(
        redis_client(current),
        current.key_prefix,
        lease_seconds=spec.time_limit + 5,
        done_ttl_seconds=current.idempotency_ttl,
    )


@lru_cache(maxsize=1)
def storage() -> LocalDirectoryStorage:
    return LocalDirectoryStorage(settings().storage_dir)


@lru_cache(maxsize=1)
def mailer() -> Mailer:
    return Mailer(settings())
