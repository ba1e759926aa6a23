"""Probes: /healthz says the process serves, /readyz says it can take jobs."""

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from .._core.readiness import broker_answers, store_answers
from .._core.redis_client import redis_client
from .dependencies import JobsDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    responses={503: {"description": "Broker, job store or database (if any) unreachable"}},
)
async def readyz(
    request: Request, response: Response, settings: SettingsDep, jobs: JobsDep
) -> dict[str, str]:
    answers = {
        "broker": await run_in_threadpool(broker_answers, jobs.celery),
        "store": await run_in_threadpool(store_answers, redis_client(settings)),
    }
    if settings.has_database:
        from .database import database_answers  # noqa: PLC0415 (the database extra)

        answers["database"] = await database_answers(request.app)
    ready = all(answers.values())
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(settings.retry_after)
    return {
        "status": "ready" if ready else "not ready",
        **{name: "ok" if ok else "unreachable" for name, ok in answers.items()},
    }
