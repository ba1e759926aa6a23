"""RabbitMQ brokers: a batch of jobs, their records in one Redis round trip, their
messages published with publisher confirms in one more.

kombu's AMQP client waits for each message's confirm before it sends the next, so a
batch of n took n round trips. Here an asyncio AMQP client (aio-pika) on the API's
event loop sends every message of the batch, then awaits their confirms together:
a job is accepted only once RabbitMQ confirmed it (for a quorum queue: once a
majority of its nodes hold it), and each job is refused on its own when RabbitMQ
returns or nacks it. The messages are Celery's own (`sending.task_message`); a
test compares them with what `send_task` publishes.

Records go first: a fast worker may finish a job before its confirm is back, and a
client polling its id must never see 404. Refused jobs' records are dropped again.

BROKER_URL may name several nodes (`;`): a connection that fails is closed and the
next batch connects to the next node. Every (re)connection declares the service's
queues as the workers do (`amqp_queues.py`), so a publish never lands where
no queue is bound. Nothing is retried inside a batch: the caller answers 503 and its
client decides.
"""

import asyncio
import contextlib
import time
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange
from aio_pika.exceptions import AMQPError
from celery import Celery
from kombu import Queue
from kombu.utils.json import dumps
from redis.exceptions import RedisError

from .broker_options import job_queues, queue_name
from .declaration import Job
from .queues import DEFAULT
from .records import JobRecord, JobRecords
from .redis_client import enqueue_redis
from .sending import BrokerUnavailable, OutgoingJob, job_headers, task_message
from .settings import RuntimeSettings

OUTAGE = (AMQPError, RedisError, OSError, TimeoutError, ConnectionError)


def broker_urls(url: str) -> list[str]:
    """kombu's form (`;`-separated nodes, `pyamqp://`) as aio-pika's URLs."""
    nodes = [node.strip() for node in url.split(";") if node.strip()]
    return [node.replace("pyamqp://", "amqp://", 1) for node in nodes]


def amqp_message(celery: Celery, job: OutgoingJob, headers: dict[str, Any]) -> aio_pika.Message:
    """What `send_task` publishes for `job`, as aio-pika's message."""
    task = task_message(celery, job, headers)
    return aio_pika.Message(
        dumps(task.body).encode(),
        headers=task.headers,
        content_type="application/json",
        content_encoding="utf-8",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        correlation_id=task.properties["correlation_id"],
        reply_to=task.properties["reply_to"],
        priority=0,
        # aio-pika matches a returned message to its confirm by message id (it would
        # make one up); the job's id is unique too.
        message_id=job.id,
    )


class AmqpBatchWriter:
    # Batches in flight at once on the one channel: a batch's confirms (a quorum
    # queue's majority writes) no longer hold up the next batch's publishes.
    LANES = 4

    def __init__(
        self,
        celery: Celery,
        records: JobRecords,
        settings: RuntimeSettings,
        jobs: tuple[Job[Any], ...],
    ) -> None:
        self._celery = celery
        self._records = records
        self._queue_of = job_queues(settings, jobs)
        self._default_queue = queue_name(settings, DEFAULT)
        self._declarations: list[Queue] = list(celery.conf.task_queues)
        self._urls = broker_urls(settings.effective_broker_url)
        self._next_url = 0
        self._connect_timeout = settings.broker_socket_timeout
        # A confirm later than this answers a request that has given up already.
        self._confirm_timeout = settings.enqueue_timeout
        self._store = enqueue_redis(settings.redis_url, settings)
        self._connection: AbstractConnection | None = None
        self._connecting = asyncio.Lock()
        self._exchanges: dict[str, AbstractExchange] = {}

    async def write(self, jobs: Sequence[OutgoingJob]) -> list[BrokerUnavailable | None]:
        """Record and publish `jobs`: one refusal or None per job; BrokerUnavailable
        when Redis or RabbitMQ is out of reach."""
        now = time.time()
        records = self._records.new([(j.id, j.name, j.request_id, j.payload) for j in jobs])
        try:
            await self._store_records(records, now)
        except OUTAGE as exc:
            raise BrokerUnavailable(f"the job store refused the job: {exc}") from exc
        try:
            outcomes = await self._publish_all(jobs, now)
        except BaseException as exc:
            await self._close()
            await self._records.discard_through(self._store, [job.id for job in jobs])
            if isinstance(exc, OUTAGE):
                raise BrokerUnavailable(f"the broker refused the job: {exc}") from exc
            raise
        refusals = [
            None if outcome is None else BrokerUnavailable(f"the broker refused the job: {outcome}")
            for outcome in outcomes
        ]
        refused = [job.id for job, refusal in zip(jobs, refusals, strict=True) if refusal]
        if refused:
            # The next batch connects and declares again: a queue someone deleted
            # (every message to it came back) is there again, and a channel whose
            # confirm never came is not used again. Rare; other batches in flight on
            # this connection are refused with it.
            await self._close()
            await self._records.discard_through(self._store, refused)
        return refusals

    async def _publish_all(
        self, jobs: Sequence[OutgoingJob], now: float
    ) -> list[BaseException | None]:
        await self._connect()
        sends = []
        for job in jobs:
            queue = self._queue_of.get(job.name, self._default_queue)
            exchange = self._exchanges[queue]
            message = amqp_message(self._celery, job, job_headers(job.request_id, now))
            # mandatory: a message no queue takes comes back and is refused.
            sends.append(exchange.publish(message, queue, mandatory=True))
        async with asyncio.timeout(self._confirm_timeout):
            outcomes = await asyncio.gather(*sends, return_exceptions=True)
        return [outcome if isinstance(outcome, BaseException) else None for outcome in outcomes]

    async def _connect(self) -> None:
        async with self._connecting:  # one connection for every lane
            if self._connection is None or self._connection.is_closed:
                await self._open()

    async def _open(self) -> None:
        errors = []
        for _ in self._urls:
            url = self._urls[self._next_url]
            try:
                connection = await aio_pika.connect(url, timeout=self._connect_timeout)
            except OUTAGE as exc:
                errors.append(exc)
                self._next_url = (self._next_url + 1) % len(self._urls)
                continue
            try:
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                await self._declare(channel)
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
            return
        raise BrokerUnavailable(f"no broker node answered: {errors}")

    async def _declare(self, channel: AbstractChannel) -> None:
        """The service's queues as the workers declare them, dead-letter queue first."""
        exchanges = {}
        for queue in self._declarations:
            for declared in (getattr(queue, "dead_letters", None), queue):
                if declared is None:
                    continue
                exchange = await channel.declare_exchange(
                    declared.exchange.name, declared.exchange.type, durable=True
                )
                amqp_queue = await channel.declare_queue(
                    declared.name, durable=True, arguments=declared.queue_arguments
                )
                await amqp_queue.bind(exchange, declared.routing_key or "")
            exchanges[queue.name] = exchange
        self._exchanges = exchanges  # whole: other lanes may be publishing

    async def _store_records(self, records: list[JobRecord], now: float) -> None:
        async with self._store.pipeline(transaction=False) as pipe:
            self._records.queue_accept(pipe, records, now)
            await pipe.execute()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(*OUTAGE):
                await connection.close()

    async def aclose(self) -> None:
        await self._close()
        await self._store.aclose()
