"""Whether the queue can take jobs right now: the broker and the job store answer."""

from celery import Celery
from kombu.exceptions import KombuError
from redis import Redis
from redis.exceptions import RedisError


def broker_answers(celery: Celery) -> bool:
    """Bounded by the broker connect timeout set in `celery_app.py`."""
    try:
        with celery.connection_for_write() as connection:
            # One attempt, no retry sleeps: a probe reports, the orchestrator retries.
            connection.ensure_connection(max_retries=0)
    except (KombuError, OSError):
        return False
    return True


def store_answers(redis: Redis) -> bool:
    try:
        return bool(redis.ping())
    except (RedisError, OSError):
        return False
