"""A Celery app with Celery's default settings and a no-op task, the baseline for the
runtime's reliable settings (`celery --app default_celery worker`, from bench/). Only
the broker, a queue name of its own and (on Redis) the run's key prefix are set, so the
run can delete all it wrote."""

from typing import Any

from bench_service.jobs.noop import done_key
from bench_service.settings import Settings, get_settings
from celery import Celery
from redis import Redis


def defaults_queue(settings: Settings) -> str:
    return f"{settings.queue_prefix}defaults"


def defaults_app(settings: Settings, name: str = "defaults") -> Celery:
    """The baseline's app, for its worker and for the bench that publishes to it."""
    app = Celery(name, broker=settings.effective_broker_url, set_as_current=False)
    app.conf.task_default_queue = defaults_queue(settings)
    app.conf.broker_transport_options = {"global_keyprefix": settings.key_prefix}
    return app


settings = get_settings()
app = defaults_app(settings)
_redis = Redis.from_url(settings.redis_url)


@app.task(name="bench.noop")
def noop(payload: Any = None) -> None:
    _redis.incr(done_key(settings.key_prefix))
