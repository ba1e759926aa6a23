"""kombu's AMQP transport, whose purge revokes the jobs it removes.

RabbitMQ's queue.purge deletes messages without saying which: `celery purge` would
leave their jobs PENDING for good, and the lost-job sweep would publish them again
from their records. Here a purge takes the messages that wait at its start one by one
(basic.get), hands their job ids to `revocations.revoke_purged` a batch at a time, and
only then acknowledges the batch: if that fails, the batch goes back to its queue and
the purge stops with the error. Slower than queue.purge (a round trip per message),
which only an operator's command pays.

`SCHEMES` are the broker URL schemes served by this module's transports
(`broker_options.use_hardened_broker_transport`).
"""

from typing import Any

from kombu.transport import pyamqp

from .revocations import revoke_purged

PURGE_BATCH = 1000
SCHEMES = {"amqp": "Transport", "pyamqp": "Transport", "amqps": "SSLTransport"}


class Channel(pyamqp.Channel):
    def queue_purge(self, queue: str = "", nowait: bool = False, argsig: str = "Bsb") -> int:
        purged, batch, last_tag = 0, list[Any](), None
        budget = 1  # until the first message says how many wait behind it
        while purged + len(batch) < budget:
            message = self.basic_get(queue=queue, no_ack=False)
            if message is None:
                break
            if last_tag is None:
                budget = 1 + int(message.delivery_info.get("message_count", 0))
            batch.append(message)
            last_tag = message.delivery_tag
            if len(batch) >= PURGE_BATCH:
                purged += self._revoke_and_ack(batch, last_tag)
                batch = []
        return purged + (self._revoke_and_ack(batch, last_tag) if batch else 0)

    def _revoke_and_ack(self, batch: list[Any], last_tag: Any) -> int:
        try:
            revoke_purged([task_id for message in batch if (task_id := _task_id(message))])
        except Exception:
            self.basic_recover(requeue=True)  # the batch goes back to its queue
            raise
        self.basic_ack(last_tag, multiple=True)
        return len(batch)


def _task_id(message: Any) -> str | None:
    # Celery's protocol 2 carries the task id in the headers; other messages have none.
    headers = message.headers if isinstance(message.headers, dict) else {}
    return str(headers["id"]) if headers.get("id") else None


class Connection(pyamqp.Connection):
    Channel = Channel


class Transport(pyamqp.Transport):
    Connection = Connection


class SSLTransport(pyamqp.SSLTransport):
    Connection = Connection
