"""Probes: /healthz says the process serves, /readyz says it can take jobs."""

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from ...jobs.readiness import broker_answers, store_answers
from ...jobs.redis_client import redis_client
from ..dependencies import JobsDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "Broker or job store unreachable"}})
async def readyz(response: Response, settings: SettingsDep, jobs: JobsDep) -> dict[str, str]:
    broker = await run_in_threadpool(broker_answers, jobs.celery)
    store = await run_in_threadpool(store_answers, redis_client(settings))
    ready = broker and store
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(settings.retry_after)
    return {
        "status": "ready" if ready else "not ready",
        "broker": "ok" if broker else "unreachable",
        "store": "ok" if store else "unreachable",
    }
