"""kombu's Redis transport, with five changes: a worker stays alive through a Redis
restart (kombu#582, still open in kombu 5.7), a channel reuses its Redis client, a
queue's depth is read under the key prefix, a purge revokes the jobs it removes, and
a publish can wait for replicas.

When Redis goes away, Celery closes the broker channel and reconnects. Work still in
flight on the old channel (returning reserved messages to their queue, acknowledging
or rejecting a task that just finished) then needs a new Redis client, and kombu 5.7
builds it from a connection object that is already gone: an AttributeError that
escapes as "Unrecoverable error" and stops the worker for good. Here a closed
connection is reported as what it is, a Redis connection error, which kombu and
Celery already handle: the affected messages stay in Redis's unacked set until the
visibility-timeout sweep returns them, and one dropped between kombu's two restore
steps (kombu#1836) is published again from its job record (`_worker/lost_jobs.py`).

A passive declare (how `waiting_in` reads a queue's depth) checks the queue's keys
with their `global_keyprefix`, which kombu leaves off EXISTS.

kombu also builds a new Redis client object (over the same connection pool) for
every publish, delivery and acknowledgement; building it costs about as much as the
command it sends. A channel here keeps one per pool, and builds a new one only when
kombu has replaced the pool (after a connection error), so the rule above still holds.

A purge (`celery purge`) takes the messages off in batches, each batch atomically,
and hands their job ids to `revocations.revoke_purged`: without that, the lost-job
sweep would publish the purged jobs again. If that fails, the batch goes back where
it was and the purge stops with the error.

With REDIS_REPLICA_ACKS (the `replica_acks` transport option), a publish returns only
once that many replicas hold the message: after each message, or after each flush of
kombu's publish batch, a write of the channel's own and `WAIT` in one round trip
(replicas apply writes in order, so theirs stands for the messages before it). Fewer
replicas in time raise `ReplicasBehind`, a connection error: the message is on the
master, and may be lost with it. Every publish through Celery takes this path: the
outbox relay, `JobClient.publish`, `send_task` and `.delay()`, retries, Beat. The API's
enqueue script waits in its own round trip (`redis_batch_writer.py`).

These override private kombu methods: `overrides.py` refuses an untested kombu minor.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError

from .redis_client import wait_for_replicas
from .revocations import revoke_purged

PURGE_BATCH = 1000
# The broker URL schemes served by this module's transport
# (`broker_options.use_hardened_broker_transport`).
SCHEMES = {"redis": "Transport", "rediss": "Transport", "sentinel": "SentinelTransport"}


# Transport options a channel takes over (broker_options.broker_transport_options).
REPLICA_OPTIONS = ("replica_acks", "replica_wait_ms")


class Channel(kombu_redis.Channel):
    _reused: tuple[Any, Any] | None = None  # (the pool, a client over it)
    from_transport_options = kombu_redis.Channel.from_transport_options + REPLICA_OPTIONS
    replica_acks = 0
    replica_wait_ms = 250

    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:
        batched = kwargs.get("_publish_batch") is not None  # the batch waits at its flush
        super()._put(queue, message, **kwargs)
        if self.replica_acks and not batched:
            self.wait_for_replicas()

    def create_publish_batch(self, max_size: int) -> "ReplicatedPublishBatch":
        return ReplicatedPublishBatch(self, max_size)

    def wait_for_replicas(self) -> None:
        """Until `replica_acks` replicas hold what this channel published."""
        with self.conn_or_acquire() as client:
            # kombu's client puts the key prefix in front of the marker.
            wait_for_replicas(
                client, "replica-wait", self.replica_acks, self.replica_wait_ms, "the message"
            )

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

    def _has_queue(self, queue: str, **kwargs: Any) -> bool:
        # kombu prefixes the keys of most commands with `global_keyprefix`, but not
        # those of EXISTS: a passive declare of any queue here said "no such queue",
        # and every queue's depth (the sweep's backlog, the metrics) read 0.
        private: Any = self
        with self.conn_or_acquire() as client, client.pipeline() as pipe:
            for priority in self.priority_steps:
                pipe.exists(self.global_keyprefix + private._q_for_pri(queue, priority))
            return any(pipe.execute())

    def _purge(self, queue: str) -> int:
        private: Any = self
        purged = 0
        for priority in self.priority_steps:
            key = private._q_for_pri(queue, priority)
            with self.conn_or_acquire() as client:
                # What waits now, as kombu's purge: not what publishers add meanwhile.
                budget = int(client.llen(key))
            while budget > 0 and (batch := self._take_oldest(key)):
                budget -= len(batch)
                try:
                    revoke_purged(job_ids(batch))
                except Exception:
                    with self.conn_or_acquire() as client:
                        client.rpush(key, *batch)  # back at the end it was taken from
                    raise
                purged += len(batch)
        return purged

    def _take_oldest(self, key: str) -> list[str]:
        # Workers pop from the right. kombu's client prefixes RPUSH but not these two.
        prefixed = self.global_keyprefix + key
        with self.conn_or_acquire() as client, client.pipeline(transaction=True) as pipe:
            pipe.lrange(prefixed, -PURGE_BATCH, -1)
            pipe.ltrim(prefixed, 0, -PURGE_BATCH - 1)
            taken, _ = pipe.execute()
        return [item.decode() if isinstance(item, bytes) else item for item in taken]


def job_ids(messages: list[str]) -> list[str]:
    """The task ids of kombu messages (Celery's protocol 2 carries it in the headers)."""
    ids = []
    for raw in messages:
        try:
            task_id = json.loads(raw)["headers"]["id"]
        except (ValueError, KeyError, TypeError):
            continue  # not a task message: purged all the same
        ids.append(str(task_id))
    return ids


# kombu 5.7's publish batch, newer than kombu's type stubs.
_PublishBatch: Any = kombu_redis.PublishBatch  # type: ignore[attr-defined]


class ReplicatedPublishBatch(_PublishBatch):  # type: ignore[misc]
    """kombu's publish batch (`Producer.batch`), waiting for replicas after a flush."""

    channel: Channel

    def flush(self) -> None:
        private: Any = self
        pending = private._buffered  # kombu's count of commands not yet sent
        super().flush()
        if pending and self.channel.replica_acks:
            self.channel.wait_for_replicas()


class Transport(kombu_redis.Transport):
    Channel = Channel


class SentinelChannel(kombu_redis.SentinelChannel, Channel):
    """kombu's Sentinel channel (it finds the master through the Sentinels, again
    after a failover) with this module's fixes."""

    # kombu's Sentinel channel lists its own options, without this module's.
    from_transport_options = kombu_redis.SentinelChannel.from_transport_options + REPLICA_OPTIONS


class SentinelTransport(Transport):
    Channel = SentinelChannel
    default_port = kombu_redis.SentinelTransport.default_port
