"""The Celery settings that keep jobs from being lost, on the app a service's worker
gets (`create_worker_app`), for each broker. Nothing here connects."""

from typing import Any

import pytest
from celery import Celery, Task
from celery.exceptions import Reject
from fixture_service import jobs
from fixture_service.settings import Settings
from kombu.exceptions import OperationalError
from support.service import SERVICE_JOBS

from durable_jobs import create_worker_app
from durable_jobs._core import (
    amqp_queues,
    amqp_transport,
    broker_options,
    declaration,
    redis_transport,
)
from durable_jobs._worker.job_task import MIN_RETRY_COUNTDOWN

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
# Celery warns when a second app in one process registers the same job functions.
pytestmark = pytest.mark.filterwarnings("ignore::celery.exceptions.DuplicateTaskNameWarning")


def worker_app(**settings: str) -> Celery:
    return create_worker_app(Settings(_env_file=None, **settings), jobs)  # type: ignore[arg-type]


@pytest.fixture(params=["redis", "rabbitmq"])
def app(request: pytest.FixtureRequest) -> Celery:
    return worker_app(broker_url=RABBITMQ) if request.param == "rabbitmq" else worker_app()


def declared_tasks(app: Celery) -> dict[str, Task[Any, Any]]:
    # The service's own tasks, not Celery's nor the tasks other tests may define.
    return {
        name: task
        for name, task in app.tasks.items()
        if task.__module__.startswith("fixture_service.")
    }


def test_every_declared_job_has_a_task_and_every_task_a_job(app: Celery) -> None:
    assert set(declared_tasks(app)) == {job.name for job in SERVICE_JOBS}


def test_every_task_has_soft_and_hard_time_limits_and_bounded_retries(app: Celery) -> None:
    for name, task in declared_tasks(app).items():
        soft, hard = task.soft_time_limit, task.time_limit
        assert soft, name
        assert hard, name
        assert soft < hard, name
        assert task.max_retries is not None, name


def test_workers_acknowledge_late_and_requeue_on_worker_loss(app: Celery) -> None:
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_retry_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.accept_content == ["json"]
    assert conf.broker_connection_retry_on_startup is True


def test_visibility_timeout_outlasts_longest_run_plus_longest_countdown() -> None:
    app = worker_app()
    timeout = broker_options.visibility_timeout(SERVICE_JOBS)
    longest = declaration.longest_hard_limit(SERVICE_JOBS)
    assert timeout > longest + declaration.longest_countdown(SERVICE_JOBS)
    assert app.conf.broker_transport_options["visibility_timeout"] == timeout


def test_the_broker_url_stays_redis_and_reaches_the_hardened_transport() -> None:
    # Flower and `celery inspect` read the URL: it must stay redis://.
    with worker_app().connection_for_write() as connection:
        assert connection.as_uri().startswith("redis://")
        assert connection.transport.driver_type == "redis"
        assert isinstance(connection.transport, redis_transport.Transport)


def test_rabbitmq_confirms_publishes_into_quorum_queues_that_dead_letter() -> None:
    app = worker_app(broker_url=RABBITMQ)
    assert app.conf.broker_transport_options == {"confirm_publish": True}
    with app.connection_for_write() as connection:
        assert connection.as_uri().startswith("amqp://")
        assert isinstance(connection.transport, amqp_transport.Transport)
    dead_letters = amqp_queues.dead_letter_queue(Settings(_env_file=None, broker_url=RABBITMQ))
    for queue in app.conf.task_queues:
        assert queue.durable
        # Native delayed delivery (retry countdowns on the broker) skips direct exchanges.
        assert queue.exchange.type == "topic"
        assert queue.queue_arguments == {
            "x-queue-type": "quorum",
            "x-delivery-limit": amqp_queues.QUORUM_DELIVERY_LIMIT,
            "x-dead-letter-exchange": dead_letters.exchange.name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }


def test_classic_queues_are_declared_as_before_quorum_queues() -> None:
    # An updated service must redeclare its existing queues exactly, or RabbitMQ
    # refuses (406 PRECONDITION_FAILED, inequivalent arg).
    settings = Settings(_env_file=None, broker_url=RABBITMQ, rabbitmq_queue_type="classic")
    for queue in broker_options.declared_queues(settings):
        assert queue.durable
        assert queue.exchange.type == "direct"
        assert queue.queue_arguments == {"x-max-priority": 9}


def test_queue_prefixes_cannot_reach_other_services_queues() -> None:
    # Countdowns are routed by topic patterns ("#.<queue>"): a '.' in a prefix would
    # let one service's delayed jobs match another's queue.
    with pytest.raises(ValueError, match="queue_prefix"):
        Settings(_env_file=None, broker_url=RABBITMQ, queue_prefix="other.")


def test_a_retry_never_waits_less_than_the_floor(
    app: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A zero countdown lets the next attempt overtake this one's RETRY state.
    seen: dict[str, object] = {}
    monkeypatch.setattr(Task, "retry", lambda self, *args, **kwargs: seen.update(kwargs))
    app.tasks["billing.charge"].retry(countdown=0)
    assert seen["countdown"] == MIN_RETRY_COUNTDOWN


def test_a_retry_whose_message_cannot_reach_the_broker_hands_the_delivery_back(
    app: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Celery rejects without requeue when the retry cannot be published (the job would
    end FAILURE, never to run again: seen in a Sentinel failover); the job's delivery
    goes back to the broker instead."""
    away = OperationalError("Error 111 connecting to 127.0.0.1:41977. Connection refused.")

    def unpublishable(self: Task[Any, Any], *args: object, **kwargs: object) -> None:
        raise Reject(away, requeue=False)

    monkeypatch.setattr(Task, "retry", unpublishable)
    with pytest.raises(Reject) as handed_back:
        app.tasks["billing.charge"].retry(countdown=5)
    assert handed_back.value.args == (away, True)


def test_a_retry_rejected_for_another_reason_is_left_as_celery_rejected_it(
    app: Celery, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(self: Task[Any, Any], *args: object, **kwargs: object) -> None:
        raise Reject(ValueError("not serializable"), requeue=False)

    monkeypatch.setattr(Task, "retry", refused)
    with pytest.raises(Reject) as rejected:
        app.tasks["billing.charge"].retry(countdown=5)
    assert rejected.value.args[1] is False
