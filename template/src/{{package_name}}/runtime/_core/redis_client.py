"""One Redis connection pool per process for job records, idempotency and storage."""

from functools import lru_cache

from redis import Redis

from .settings import RuntimeSettings


@lru_cache(maxsize=4)
def _client(url: str, timeout: float, health_check_interval: int) -> Redis:
    # redis-py notices a fork and gives the child fresh connections, so prefork
    # children can share this cached client object safely.
    return Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=health_check_interval,
        decode_responses=True,
    )


def redis_client(settings: RuntimeSettings) -> Redis:
    return _client(
        settings.redis_url,
        settings.broker_socket_timeout,
        int(settings.broker_health_check_interval),
    )
