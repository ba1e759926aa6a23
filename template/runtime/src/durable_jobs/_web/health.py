"""Probes: /healthz says the process serves, /readyz says it can take jobs."""

import asyncio
import time

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from .._core.readiness import broker_answers, store_answers
from .._core.redis_client import redis_client
from .dependencies import JobsDep, SettingsDep

router = APIRouter(tags=["health"])
# Seconds one round of checks answers every /readyz: each round opens a broker
# connection, so callers hammering the probe (1,500 calls once made 1,500 connections)
# cost at most one round a second per process.
READINESS_TTL = 1.0


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
    answers = await _answers(request, settings, jobs)
    ready = all(answers.values())
    if not ready:
        response.status_code = 503
        response.headers["Retry-After"] = str(settings.retry_after)
    return {
        "status": "ready" if ready else "not ready",
        **{name: "ok" if ok else "unreachable" for name, ok in answers.items()},
    }


async def _answers(request: Request, settings: SettingsDep, jobs: JobsDep) -> dict[str, bool]:
    state = request.app.state
    if not hasattr(state, "readiness_lock"):
        state.readiness_lock, state.readiness = asyncio.Lock(), (-READINESS_TTL, {})
    async with state.readiness_lock:  # concurrent probes wait for one round
        checked_at, answers = state.readiness
        if time.monotonic() - checked_at < READINESS_TTL:
            return dict(answers)
        answers = {
            "broker": await run_in_threadpool(broker_answers, jobs.celery),
            "store": await run_in_threadpool(store_answers, redis_client(settings)),
        }
        if settings.has_database:
            from .database import database_answers  # noqa: PLC0415 (the database extra)

            answers["database"] = await database_answers(request.app)
        state.readiness = (time.monotonic(), answers)
        return dict(answers)
