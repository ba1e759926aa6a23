"""How the broker's queues are declared (Redis: a list per queue and priority step;
the priority steps are set in `broker_options.py`)."""

from kombu import Exchange, Queue

from .settings import RuntimeSettings


def declared_queue(settings: RuntimeSettings, name: str) -> Queue:
    return Queue(name, Exchange(name, type="direct"), routing_key=name, durable=True)
