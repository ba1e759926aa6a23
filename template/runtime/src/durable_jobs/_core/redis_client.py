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
from redis.asyncio.retry import Retry as AsyncRetry
from redis.asyncio.sentinel import Sentinel as AsyncSentinel
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.sentinel import Sentinel

from .settings import RuntimeSettings

SENTINEL_SCHEME = "sentinel"


class ReplicasBehind(RedisConnectionError):
    """Fewer replicas than REDIS_REPLICA_ACKS confirmed a write in time: as good as an
    outage for what the write must survive."""

    @classmethod
    def unless_enough(cls, acknowledged: Any, wanted: int, what: str) -> None:
        """Raise unless `acknowledged` (WAIT's answer) reaches `wanted`."""
        if int(acknowledged) < wanted:
            raise cls(f"{acknowledged} of {wanted} replicas acknowledged {what} in time")


def wait_for_replicas(client: Any, marker: str, replicas: int, wait_ms: int, what: str) -> None:
    """Until `replicas` replicas hold every write made on `client`'s server so far:
    WAIT counts the replicas that hold the last write of its connection, and replicas
    apply writes in order, so a write of `marker` (on whichever connection) followed
    by WAIT stands for everything before it. ReplicasBehind when too few answer within
    `wait_ms`."""
    with client.pipeline(transaction=False) as pipe:
        pipe.set(marker, "1", px=60_000)
        pipe.execute_command("WAIT", replicas, wait_ms)
        _, acknowledged = pipe.execute()
    ReplicasBehind.unless_enough(acknowledged, replicas, what)


def replica_wait_ms(timeout: float) -> int:
    """How long WAIT may block: within the socket timeout `timeout` (seconds), which
    would otherwise cut the connection first."""
    return max(1, int(timeout * 1000 / 2))


@dataclass(frozen=True)
class SentinelAddress:
    sentinels: tuple[tuple[str, int], ...]
    db: int
    password: str | None


def url_scheme(url: str) -> str:
    """The scheme of a URL, or of the first of `;`-separated ones (a cluster's nodes,
    Sentinels)."""
    return urlsplit(url.split(";", 1)[0]).scheme


def is_sentinel(url: str) -> bool:
    return url_scheme(url) == SENTINEL_SCHEME


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
    client: Redis = _client_of(
        url, master_name, timeout, options, client_class=Redis, sentinel_class=Sentinel
    )
    return client


def async_redis(url: str, *, master_name: str, timeout: float, **options: Any) -> aioredis.Redis:
    """As `sync_redis`, for an event loop."""
    client: aioredis.Redis = _client_of(
        url,
        master_name,
        timeout,
        options,
        client_class=aioredis.Redis,
        sentinel_class=AsyncSentinel,
    )
    return client


def enqueue_redis(url: str, settings: RuntimeSettings) -> aioredis.Redis:
    """The API's batch writers' client: one attempt per command, no retries inside
    (a script whose reply was lost may have run; the caller answers 503)."""
    return async_redis(
        url,
        master_name=settings.redis_master_name,
        timeout=settings.broker_socket_timeout,
        health_check_interval=int(settings.broker_health_check_interval),
        retry=AsyncRetry(NoBackoff(), 0),
    )


def _client_of(
    url: str,
    master_name: str,
    timeout: float,
    options: dict[str, Any],
    *,
    client_class: Any,
    sentinel_class: Any,
) -> Any:
    options = {**_timeouts(timeout), **options}
    if not is_sentinel(url):
        return client_class.from_url(url, **options)
    address = sentinel_address(url)
    sentinel = sentinel_class(address.sentinels, sentinel_kwargs=_timeouts(timeout))
    return sentinel.master_for(master_name, db=address.db, password=address.password, **options)


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
