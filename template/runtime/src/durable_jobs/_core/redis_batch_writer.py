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

Replica acknowledgement (REDIS_REPLICA_ACKS, on by default with Sentinel): Redis
replicates asynchronously, so a master that dies right after answering may take the
batch with it, and the replica promoted in its place never saw it. The script is
followed, in the same round trip, by `WAIT n`: the batch counts as accepted only once
n replicas hold it. Fewer within the timeout refuse the batch (503): its jobs are on
the master and will most likely run, and the client's retry is absorbed by the
idempotency key.
"""

import time
from collections.abc import Sequence
from typing import Any

from celery import Celery
from redis.asyncio import Redis
from redis.exceptions import RedisError

from .broker_options import job_queues, queue_name
from .declaration import Job
from .queues import DEFAULT
from .records import JobRecords
from .redis_client import ReplicasBehind, enqueue_redis, replica_wait_ms
from .sending import BrokerUnavailable, OutgoingJob, job_headers
from .settings import RuntimeSettings
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


class RedisBatchWriter:
    # One script call at a time: under load the next batch grows while this one runs.
    LANES = 1

    def __init__(
        self,
        celery: Celery,
        records: JobRecords,
        settings: RuntimeSettings,
        jobs: tuple[Job[Any], ...],
    ) -> None:
        self._celery = celery
        self._records = records
        self._queues = job_queues(settings, jobs)
        self._default_queue = queue_name(settings, DEFAULT)
        # kombu's Redis transport prefixes every key with the global key prefix.
        self._queue_key_prefix = settings.key_prefix
        self._store = enqueue_redis(settings.redis_url, settings)
        self._same_server = settings.effective_broker_url == settings.redis_url
        self._broker = (
            self._store
            if self._same_server
            else enqueue_redis(settings.effective_broker_url, settings)
        )
        self._store_script = self._store.register_script(SCRIPT)
        self._broker_script = self._broker.register_script(SCRIPT)
        self._replica_acks = settings.effective_replica_acks
        self._replica_wait_ms = replica_wait_ms(settings.broker_socket_timeout)

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
                await self._replicated(
                    self._store_script,
                    self._store,
                    keys=[inflight, *record_keys, *queues],
                    args=[ttl, now, len(records), *record_args, *messages],
                )
                return
            await self._store_script(
                keys=[inflight, *record_keys], args=[ttl, now, len(records), *record_args]
            )
            try:
                await self._replicated(
                    self._broker_script,
                    self._broker,
                    keys=[inflight, *queues],
                    args=[ttl, now, 0, *messages],
                )
            except BaseException:
                await self._records.discard_through(self._store, [r.id for r in records])
                raise
        except (RedisError, OSError) as exc:
            raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc

    async def _replicated(
        self, script: Any, client: Redis, keys: list[Any], args: list[Any]
    ) -> None:
        """Run `script`; with replica acknowledgement, WAIT in the same round trip."""
        if not self._replica_acks:
            await script(keys=keys, args=args)
            return
        async with client.pipeline(transaction=False) as pipe:
            await script(keys=keys, args=args, client=pipe)
            pipe.execute_command("WAIT", self._replica_acks, self._replica_wait_ms)
            _, acknowledged = await pipe.execute()
        ReplicasBehind.unless_enough(acknowledged, self._replica_acks, "the job")

    async def aclose(self) -> None:
        await self._store.aclose()
        if not self._same_server:
            await self._broker.aclose()
