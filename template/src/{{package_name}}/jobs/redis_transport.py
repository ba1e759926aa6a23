"""kombu's Redis transport, with two changes: a worker stays alive through a Redis
restart, and a channel reuses its Redis client.

When Redis goes away, Celery closes the broker channel and reconnects. Work still in
flight on the old channel (returning reserved messages to their queue, acknowledging
or rejecting a task that just finished) then needs a new Redis client, and kombu 5.7
builds it from a connection object that is already gone: an AttributeError that
escapes as "Unrecoverable error" and stops the worker for good. Here a closed
connection is reported as what it is, a Redis connection error, which kombu and
Celery already handle: the affected messages stay in Redis's unacked set until the
visibility-timeout sweep returns them, and one dropped between kombu's two restore
steps is published again from its job record (`worker/lost_jobs.py`).

kombu also builds a new Redis client object (over the same connection pool) for
every publish, delivery and acknowledgement; building it costs about as much as the
command it sends. A channel here keeps one per pool, and builds a new one only when
kombu has replaced the pool (after a connection error), so the rule above still holds.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    _reused: tuple[Any, Any] | None = None  # (the pool, a client over it)

    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        # Private in kombu, so absent from its type stubs.
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        # kombu's private attributes, absent from its type stubs.
        private: Any = self
        reused = self._reused
        if reused is None or private._pool is None or reused[0] is not private._pool:
            created = private._create_client()
            reused = self._reused = (private._pool, created)
        yield reused[1]


class Transport(kombu_redis.Transport):
    Channel = Channel
