"""The queues jobs are routed to. With PRIORITY_QUEUES on, urgent jobs go to `high`,
slow ones to `low`: one worker serves high and default (high first), a separate worker
serves low, so a backlog of slow jobs never delays urgent ones. Off, all three name the
one queue `default`."""

from .settings import RuntimeSettings


class Queue:
    """What a JobSpec's `queue` names."""

    HIGH = "high"
    DEFAULT = "default"
    LOW = "low"


DEFAULT = Queue.DEFAULT
PRIORITY_QUEUES = (Queue.HIGH, Queue.DEFAULT, Queue.LOW)


def service_queues(settings: RuntimeSettings) -> tuple[str, ...]:
    """Every queue of the service, most urgent first."""
    return PRIORITY_QUEUES if settings.priority_queues else (DEFAULT,)


def routed_queue(settings: RuntimeSettings, queue: str) -> str:
    """The queue a job declared for `queue` goes to."""
    return queue if queue in service_queues(settings) else DEFAULT
