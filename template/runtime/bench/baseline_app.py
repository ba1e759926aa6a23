"""The two baselines the service's enqueue endpoint is measured against, in one app:

- `POST /bare`: FastAPI doing nothing (the ceiling);
- `POST /naive`: the common pattern, `.delay()` inside an `async def` route with a
  Redis result backend: every publish holds the event loop.

On RabbitMQ (BROKER_URL amqp://), two more:
- `POST /naive-confirmed`: the same with publisher confirms (`confirm_publish`), so
  that a 202 means what the service's does: RabbitMQ has the job;
- `POST /naive-quorum`: the same again into a quorum queue (Celery's
  `task_default_queue_type = "quorum"`), so that RabbitMQ has it the way the
  service's queues hold it: replicated, confirmed once a majority of nodes wrote it.

`uvicorn --factory baseline_app:create_app` (run.py starts it).
"""

from typing import Any

from bench_service.settings import Settings, get_settings
from celery import Celery
from fastapi import FastAPI

from durable_jobs._core.broker_options import is_redis
from durable_jobs._web import metrics
from durable_jobs._web.loop_lag import watch_loop_lag


def create_app() -> FastAPI:
    settings = get_settings()
    celery = Celery(
        "naive",
        broker=settings.effective_broker_url,
        backend=settings.redis_url,
        set_as_current=False,
    )
    celery.conf.task_default_queue = f"{settings.queue_prefix}naive"

    @celery.task(name="bench.naive_noop")
    def noop() -> None:
        return None

    app = FastAPI(lifespan=watch_loop_lag)

    @app.post("/bare", status_code=202)
    async def bare() -> dict[str, Any]:
        return {"accepted": True}

    @app.post("/naive", status_code=202)
    async def naive() -> dict[str, Any]:
        result = noop.delay()
        return {"id": result.id}

    if not is_redis(settings.effective_broker_url):
        add_confirmed_baselines(app, settings)

    app.include_router(metrics.router)
    return app


def add_confirmed_baselines(app: FastAPI, settings: Settings) -> None:
    """`/naive-confirmed` and `/naive-quorum` (RabbitMQ only: confirms and quorum queues
    are RabbitMQ's)."""
    confirmed = Celery(
        "naive-confirmed",
        broker=settings.effective_broker_url,
        backend=settings.redis_url,
        set_as_current=False,
    )
    confirmed.conf.task_default_queue = f"{settings.queue_prefix}naive"
    confirmed.conf.broker_transport_options = {"confirm_publish": True}

    @confirmed.task(name="bench.naive_noop")
    def confirmed_noop() -> None:
        return None

    quorum = Celery(
        "naive-quorum",
        broker=settings.effective_broker_url,
        backend=settings.redis_url,
        set_as_current=False,
    )
    quorum.conf.task_default_queue = f"{settings.queue_prefix}naive-quorum"
    quorum.conf.task_default_queue_type = "quorum"
    quorum.conf.broker_transport_options = {"confirm_publish": True}

    @quorum.task(name="bench.naive_noop")
    def quorum_noop() -> None:
        return None

    @app.post("/naive-confirmed", status_code=202)
    async def naive_confirmed() -> dict[str, Any]:
        result = confirmed_noop.delay()
        return {"id": result.id}

    @app.post("/naive-quorum", status_code=202)
    async def naive_quorum() -> dict[str, Any]:
        result = quorum_noop.delay()
        return {"id": result.id}
