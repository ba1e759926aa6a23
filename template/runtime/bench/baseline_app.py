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
    app = FastAPI(lifespan=watch_loop_lag)

    @app.post("/bare", status_code=202)
    async def bare() -> dict[str, Any]:
        return {"accepted": True}

    add_naive_endpoint(app, settings, "naive", "naive")
    if not is_redis(settings.effective_broker_url):
        # Confirms and quorum queues are RabbitMQ's.
        confirms = {"broker_transport_options": {"confirm_publish": True}}
        add_naive_endpoint(app, settings, "naive-confirmed", "naive", **confirms)
        quorum = {**confirms, "task_default_queue_type": "quorum"}
        add_naive_endpoint(app, settings, "naive-quorum", "naive-quorum", **quorum)
    app.include_router(metrics.router)
    return app


def add_naive_endpoint(
    app: FastAPI, settings: Settings, name: str, queue: str, **conf: object
) -> None:
    """`POST /<name>`: `.delay()` of a no-op on a Celery app of its own (Celery's
    defaults, a Redis result backend, `conf` on top) into the run's queue `queue`."""
    celery = Celery(
        name,
        broker=settings.effective_broker_url,
        backend=settings.redis_url,
        set_as_current=False,
    )
    celery.conf.task_default_queue = f"{settings.queue_prefix}{queue}"
    celery.conf.update(conf)

    @celery.task(name="bench.naive_noop")
    def noop() -> None:
        return None

    async def enqueue() -> dict[str, Any]:
        result = noop.delay()
        return {"id": result.id}

    app.add_api_route(f"/{name}", enqueue, methods=["POST"], status_code=202, name=name)
