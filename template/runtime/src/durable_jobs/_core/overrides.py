"""Every override of third-party code in the runtime, declared in one place, and the
start-up check that they still hold.

The runtime subclasses private classes of Celery, kombu, py-amqp, uvicorn and
celery-redbeat, patches two of their globals, and builds kombu's Redis message format
itself; each module says why. If a release renames what an override replaces, the
override is silently never called again and a guarantee stops without an error (a
purge that no longer revokes, a publish that no longer waits for replicas). So the
API, the worker, Beat and the relay refuse to start:

- on a minor release of one of these libraries that the runtime was not tested on
  (`pyproject.toml` pins the same minors; a release widens both after its tests pass);
- when an overridden attribute is gone from its base class.

Both failures name the library, its version and what is missing
(`third_party_check.py`). A test checks that every attribute a runtime class overrides
on a third-party base is declared here.
"""

from dataclasses import dataclass

TESTED_MINORS = {
    "celery": ("5.7",),
    "kombu": ("5.7",),
    "amqp": ("5.4",),
    "uvicorn": ("0.55",),
    "celery-redbeat": ("2.4",),
}


@dataclass(frozen=True)
class Override:
    library: str  # the distribution whose internals these are
    base: str  # "module:Class" whose attributes a runtime class replaces
    attributes: tuple[str, ...]
    answers: str  # the upstream issue, or why there is none


OVERRIDES = (
    Override(
        "kombu",
        "kombu.transport.redis:Channel",
        ("_put", "create_publish_batch", "from_transport_options"),
        "No hook after a put: publishes that wait for replicas (REDIS_REPLICA_ACKS)",
    ),
    Override(
        "kombu",
        "kombu.transport.redis:Channel",
        ("_connparams",),
        "kombu#582: a worker dies for good when Redis restarts under it",
    ),
    Override(
        "kombu",
        "kombu.transport.redis:Channel",
        ("conn_or_acquire", "_create_client", "_pool"),
        "No upstream issue: kombu builds a Redis client object for every command",
    ),
    Override(
        "kombu",
        "kombu.transport.redis:Channel",
        ("_has_queue", "_q_for_pri"),
        "No upstream issue: a passive declare ignores global_keyprefix (depths read 0)",
    ),
    Override(
        "kombu",
        "kombu.transport.redis:Channel",
        ("_purge",),
        "celery#8888: purged jobs are forgotten, not revoked",
    ),
    Override("kombu", "kombu.transport.redis:PublishBatch", ("flush",), "Replica waits per batch"),
    Override(
        "kombu",
        "kombu.transport.redis:Transport",
        ("Channel", "default_port"),
        "The channels above (Sentinel's port for the Sentinel transport)",
    ),
    Override(
        "kombu",
        "kombu.transport.redis:SentinelChannel",
        ("from_transport_options",),
        "The replica options above, through Sentinel",
    ),
    Override("kombu", "kombu.transport.pyamqp:Connection", ("Channel",), "The purge below"),
    Override("kombu", "kombu.transport.pyamqp:Transport", ("Connection",), "The purge below"),
    Override("amqp", "amqp.channel:Channel", ("queue_purge",), "celery#8888 on RabbitMQ"),
    Override(
        "kombu",
        "kombu.entity:Queue",
        ("declare",),
        "The dead-letter queue is declared with every queue that dead-letters into it",
    ),
    Override(
        "celery",
        "celery.app.amqp:AMQP",
        ("__init__", "_create_task_sender", "TaskConsumer"),
        "Jobs sent with send_task are recorded; every queue declared before delayed delivery",
    ),
    Override(
        "celery",
        "celery.backends.redis:RedisBackend",
        ("on_task_call", "_set"),
        "celery#3808: a result subscription per publish; batched result writes",
    ),
    Override(
        "celery",
        "celery.backends.asynchronous:AsyncBackendMixin",
        ("on_result_fulfilled",),
        "celery#3808",
    ),
    Override(
        "celery",
        "celery.app.control:Control",
        ("__init__", "broadcast"),
        "celery#8888: revokes kept only in running workers' memory",
    ),
    Override(
        "celery",
        "celery.worker.request:Request",
        ("__init__", "on_failure", "acknowledge"),
        "No hooks for a message's arrival, its limits and its acknowledgement",
    ),
    Override(
        "celery",
        "celery.app.task:Task",
        ("Request", "retry"),
        "Retries with a floor; a retry Celery cannot publish (broker away) hands the "
        "delivery back instead of rejecting it for good",
    ),
    Override(
        "uvicorn",
        "uvicorn.protocols.http.httptools_impl:HttpToolsProtocol",
        (
            "__init__",
            "connection_made",
            "data_received",
            "on_message_begin",
            "on_url",
            "on_header",
            "on_headers_complete",
            "on_body",
            "on_message_complete",
            "connection_lost",
        ),
        "uvicorn#157: httptools has no head-size limit and no request read timeout",
    ),
    Override(
        "celery-redbeat",
        "redbeat.schedulers:RedBeatScheduler",
        ("tick",),
        "A liveness heartbeat on every loop",
    ),
    # Globals the runtime changes: the transport table and the revoked-ids set.
    Override("kombu", "kombu.transport:TRANSPORT_ALIASES", ("__setitem__",), "Hardened transports"),
    Override("celery", "celery.worker.state:revoked", ("update", "expires"), "celery#8888"),
)
