"""A job that does nothing but count itself: a worker's own cost per job. It goes
through the runtime's machinery (a declared job, registered by the runtime) as a
service's jobs do."""

from functools import cache

from redis import Redis

from durable_jobs import JobSpec, JobTask, Payload, job
from durable_jobs._core.redis_client import redis_client

from ..settings import get_settings


class Nothing(Payload):
    pass


NOOP_SPEC = JobSpec("bench.noop", Nothing, 5, 10, 0, 1, keeps_result=False)


def done_key(key_prefix: str) -> str:
    """The counter the no-op jobs increment (and the baseline's, default_celery.py)."""
    return f"{key_prefix}bench:done"


@cache
def _redis() -> Redis:
    return redis_client(get_settings())


@job(NOOP_SPEC)
def noop(task: JobTask, payload: Nothing) -> None:
    _redis().incr(done_key(get_settings().key_prefix))
