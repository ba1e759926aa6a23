"""kombu's Redis transport, with the one change that keeps a worker alive through a
Redis restart.

When Redis goes away, Celery closes the broker channel and reconnects. Work still in
flight on the old channel (returning reserved messages to their queue, acknowledging
or rejecting a task that just finished) then needs a new Redis client, and kombu 5.7
builds it from a connection object that is already gone: an AttributeError that
escapes as "Unrecoverable error" and stops the worker for good. Here a closed
connection is reported as what it is, a Redis connection error, which kombu and
Celery already handle: the affected messages stay in Redis's unacked set until the
visibility-timeout sweep returns them, and one dropped between kombu's two restore
steps is published again from its job record (`worker/lost_jobs.py`).
"""

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        # Private in kombu, so absent from its type stubs.
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]


class Transport(kombu_redis.Transport):
    Channel = Channel
