"""Redis clients for job records, idempotency, storage and the API's enqueue path, from
a `redis://` URL or from Redis Sentinel.

A Sentinel URL is kombu's and Celery's form: every Sentinel, separated by `;`
(`sentinel://:password@s1:26379/0;sentinel://s2:26379;sentinel://s3:26379`), with the
master's name in REDIS_MASTER_NAME. Such a client asks the Sentinels for the master
and, when a connection to it fails, asks again: after a failover its next command
reaches the promoted replica.
"""

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from redis import Redis
from redis import asyncio as aioredis
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.sentinel import Sentinel

from .settings import RuntimeSettings

SENTINEL_SCHEME = "sentinel"


class ReplicasBehind(RedisConnectionError):
    """Fewer replicas than REDIS_REPLICA_ACKS confirmed a write in time: as good as an
    outage for what the write must survive."""


def replica_wait_ms(timeout: float) -> int:
    """How long WAIT may block: within the socket timeout `timeout` (seconds), which
    would otherwise cut the connection first."""
    return max(1, int(timeout * 1000 / 2))


@dataclass(frozen=True)
class SentinelAddress:
    sentinels: tuple[tuple[str, int], ...]
    db: int
    password: str | None


def is_sentinel(url: str) -> bool:
    return urlsplit(url.split(";", 1)[0]).scheme == SENTINEL_SCHEME


def sentinel_address(url: str) -> SentinelAddress:
    """The Sentinels of a `sentinel://` URL; the first database and password given
    (as in kombu) apply to the master."""
    sentinels, db, password = [], 0, None
    for node in filter(None, (part.strip() for part in url.split(";"))):
        parts = urlsplit(node)
        sentinels.append((parts.hostname or "127.0.0.1", parts.port or 26379))
        if parts.path.strip("/") and not db:
            db = int(parts.path.strip("/"))
        if parts.password and password is None:
            password = unquote(parts.password)
    return SentinelAddress(tuple(sentinels), db, password)


def sentinel_options(url: str, settings: RuntimeSettings) -> dict[str, Any]:
    """What kombu's and Celery's Sentinel support reads from transport options: the
    master's name, and the service's timeouts for the Sentinels too."""
    if not is_sentinel(url):
        return {}
    return {
        "master_name": settings.redis_master_name,
        "sentinel_kwargs": _timeouts(settings.broker_socket_timeout),
    }


def _timeouts(timeout: float) -> dict[str, Any]:
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout}


def sync_redis(url: str, *, master_name: str, timeout: float, **options: Any) -> Redis:
    """A client of `url` (Sentinels find `master_name`) whose sockets give up after
    `timeout` seconds; `options` go to the client."""
    options = {**_timeouts(timeout), **options}
    if not is_sentinel(url):
        return Redis.from_url(url, **options)
    address = sentinel_address(url)
    # redis-py leaves its Sentinel classes untyped.
    sentinel = Sentinel(address.sentinels, sentinel_kwargs=_timeouts(timeout))  # type: ignore[no-untyped-call]
    client: Redis = sentinel.master_for(  # type: ignore[no-untyped-call]
        master_name, db=address.db, password=address.password, **options
    )
    return client


def async_redis(url: str, *, master_name: str, timeout: float, **options: Any) -> aioredis.Redis:
    """As `sync_redis`, for an event loop."""
    options = {**_timeouts(timeout), **options}
    if not is_sentinel(url):
        return aioredis.Redis.from_url(url, **options)
    address = sentinel_address(url)
    sentinel = AsyncSentinel(address.sentinels, sentinel_kwargs=_timeouts(timeout))  # type: ignore[no-untyped-call]
    client: aioredis.Redis = sentinel.master_for(
        master_name, db=address.db, password=address.password, **options
    )
    return client


@lru_cache(maxsize=4)
def _client(url: str, master_name: str, timeout: float, health_check_interval: int) -> Redis:
    # redis-py notices a fork and gives the child fresh connections, so prefork
    # children can share this cached client object safely.
    return sync_redis(
        url,
        master_name=master_name,
        timeout=timeout,
        health_check_interval=health_check_interval,
        decode_responses=True,
    )


def redis_client(settings: RuntimeSettings) -> Redis:
    return _client(
        settings.redis_url,
        settings.redis_master_name,
        settings.broker_socket_timeout,
        int(settings.broker_health_check_interval),
    )
