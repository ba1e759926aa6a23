"""Redis brokers: a batch of jobs, their records and their messages, in one script call.

One EVALSHA per batch stores each job's record (with its TTL), adds the jobs to the
in-flight index and pushes their messages onto their queues, in one round trip.
Redis runs a script without interleaving other clients' commands, so a worker can
never take a message whose record is not there yet; a Redis that is down, or out of
memory, refuses the script before it writes anything. Messages are the ones kombu
would have written (`task_messages.py`).

With job records in another Redis than the broker (REDIS_URL and BROKER_URL differ),
the records go first, in a script call of their own, and are dropped again when the
broker refuses the messages.

No retries inside the client: a script whose reply was lost may have run, and running
it again would publish its jobs twice. A failed batch is refused (503); the client
decides whether to try again.
"""

import time
from collections.abc import Sequence
from typing import Any

from celery import Celery
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from ..settings import Settings
from .broker_options import job_queues, queue_name
from .publisher import OutgoingJob
from .queues import DEFAULT
from .records import JobRecords
from .sending import BrokerUnavailable, job_headers
from .task_messages import redis_task_message

SCRIPT = """
-- KEYS: the in-flight index, n record keys, then one queue per message
-- ARGV: record TTL, now, n, n job ids, n records, then the messages
local ttl, now, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 1, n do
  redis.call('SET', KEYS[1 + i], ARGV[3 + n + i], 'EX', ttl)
  redis.call('ZADD', KEYS[1], now, ARGV[3 + i])
end
for k = 2 + n, #KEYS do
  redis.call('LPUSH', KEYS[k], ARGV[2 + n + k])
end
return #KEYS - 1 - n
"""


def _client(url: str, settings: Settings) -> Redis:
    return Redis.from_url(
        url,
        socket_timeout=settings.broker_socket_timeout,
        socket_connect_timeout=settings.broker_socket_timeout,
        health_check_interval=int(settings.broker_health_check_interval),
        retry=Retry(NoBackoff(), 0),
    )


class RedisBatchWriter:
    def __init__(self, celery: Celery, records: JobRecords, settings: Settings) -> None:
        self._celery = celery
        self._records = records
        self._queues = job_queues(settings)
        self._default_queue = queue_name(settings, DEFAULT)
        # kombu's Redis transport prefixes every key with the global key prefix.
        self._queue_key_prefix = settings.key_prefix
        self._store = _client(settings.redis_url, settings)
        self._same_server = settings.effective_broker_url == settings.redis_url
        self._broker = (
            self._store if self._same_server else _client(settings.effective_broker_url, settings)
        )
        self._store_script = self._store.register_script(SCRIPT)
        self._broker_script = self._broker.register_script(SCRIPT)

    async def write(self, jobs: Sequence[OutgoingJob]) -> None:
        """Record and publish `jobs`; BrokerUnavailable when Redis refuses."""
        now = time.time()
        records = self._records.new([(j.id, j.name, j.request_id, j.payload) for j in jobs])
        queues, messages = [], []
        for job in jobs:
            queue = self._queues.get(job.name, self._default_queue)
            queues.append(self._queue_key_prefix + queue)
            headers = job_headers(job.request_id, now)
            messages.append(redis_task_message(self._celery, job, queue=queue, headers=headers))
        record_keys = [self._records.key(record.id) for record in records]
        record_args: list[Any] = [
            *(record.id for record in records),
            *(self._records.encode(record) for record in records),
        ]
        inflight = self._records.inflight_key
        ttl = self._records.ttl_seconds
        try:
            if self._same_server:
                await self._store_script(
                    keys=[inflight, *record_keys, *queues],
                    args=[ttl, now, len(records), *record_args, *messages],
                )
                return
            await self._store_script(
                keys=[inflight, *record_keys], args=[ttl, now, len(records), *record_args]
            )
            try:
                await self._broker_script(keys=[inflight, *queues], args=[ttl, now, 0, *messages])
            except BaseException:
                await self._forget(record_keys, [record.id for record in records])
                raise
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc

    async def _forget(self, keys: list[str], job_ids: list[str]) -> None:
        # Best effort, as JobRecords.discard.
        try:
            async with self._store.pipeline(transaction=False) as pipe:
                pipe.delete(*keys)
                pipe.zrem(self._records.inflight_key, *job_ids)
                await pipe.execute()
        except (RedisError, OSError):
            pass

    async def aclose(self) -> None:
        await self._store.aclose()
        if not self._same_server:
            await self._broker.aclose()
