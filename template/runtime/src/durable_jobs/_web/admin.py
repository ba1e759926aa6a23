"""The admin surface: jobs that failed for good (dead letters), listed and sent back.

Behind ADMIN_TOKEN (`Authorization: Bearer <token>`). With no token set these routes
answer 404, as if they did not exist: an admin surface is off until someone chooses
a secret for it.
"""

import secrets
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Response
from fastapi.concurrency import run_in_threadpool

from .._core.dead_letters import DeadLetter
from .dependencies import DeadLettersDep, JobsDep, SettingsDep
from .job_routes import QUEUE_UNAVAILABLE, accepted
from .schemas import JobAccepted, Problem


async def require_admin(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> None:
    token = settings.admin_token.get_secret_value()
    if not token:
        raise HTTPException(404, "Not Found")
    # The scheme is case-insensitive (RFC 9110, 11.1): `bearer` and `BEARER` are Bearer.
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise HTTPException(
            401,
            "A valid admin token is required: send `Authorization: Bearer <ADMIN_TOKEN>`.",
            headers={"WWW-Authenticate": "Bearer"},
        )


# For any route that only operators may call (a route of the service's own, too):
# `@router.get(..., dependencies=[ADMIN_ONLY], responses=ADMIN_RESPONSES)`.
ADMIN_ONLY = Depends(require_admin)
ADMIN_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Missing or wrong admin token"},
    404: {"model": Problem, "description": "No admin token is set: admin routes are off"},
}

router = APIRouter(
    prefix="/admin", tags=["admin"], dependencies=[ADMIN_ONLY], responses=ADMIN_RESPONSES
)


@router.get("/dead-letters")
async def list_dead_letters(
    letters: DeadLettersDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[DeadLetter]:
    """The newest jobs that failed for good, with their error and request id."""
    return await run_in_threadpool(letters.newest, limit)


@router.post(
    "/dead-letters/{job_id}/requeue",
    status_code=202,
    responses={
        404: {"model": Problem, "description": "No dead letter for this job"},
        **QUEUE_UNAVAILABLE,
    },
)
async def requeue_dead_letter(
    job_id: uuid.UUID, response: Response, letters: DeadLettersDep, jobs: JobsDep
) -> JobAccepted:
    """Send the job back to its queue under the same id; it leaves the dead letters."""
    letter = await run_in_threadpool(letters.get, str(job_id))
    if letter is None:
        raise HTTPException(404, f"No dead letter for job {job_id}.")
    job = await jobs.resend(letter.job_id, letter.task, letter.payload, letter.request_id)
    await run_in_threadpool(letters.remove, letter.job_id)
    return accepted(job, response)
