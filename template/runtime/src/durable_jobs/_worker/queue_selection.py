"""Which queues this worker consumes: WORKER_QUEUES from the settings, prefixed.

Set per process in the Procfile (`WORKER_QUEUES=high,default`) rather than with
`--queues`, so QUEUE_PREFIX applies wherever it is set, `.env` included.
"""

from typing import Any

from .._core.broker_options import queue_name
from .._core.queues import service_queues
from . import resources


def consume_selected_queues(sender: str, instance: Any, **_: Any) -> None:
    settings = resources.settings()
    wanted = [name for name in settings.worker_queues.split(",") if name]
    known = service_queues(settings)
    unknown = sorted(set(wanted) - set(known))
    if unknown:
        raise ValueError(f"WORKER_QUEUES names unknown queues {unknown}; known: {known}")
    if wanted:
        instance.app.amqp.queues.select([queue_name(settings, name) for name in wanted])
