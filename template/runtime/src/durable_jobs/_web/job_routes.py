"""Job resources: where an accepted job can be watched."""

import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool

from .._core.sending import AcceptedJob
from .dependencies import JobStatusDep, SettingsDep
from .schemas import JobAccepted, JobErrorOut, JobStatusOut, Problem

router = APIRouter(tags=["jobs"])

QUEUE_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": Problem, "description": "The job queue is unavailable; nothing was enqueued"}
}


def status_url(job_id: str) -> str:
    return f"/jobs/{job_id}"


def accepted(job: AcceptedJob, response: Response) -> JobAccepted:
    """The body of a 202: the job id and where to poll it (also in Location)."""
    response.headers["Location"] = status_url(job.id)
    return JobAccepted(id=job.id, name=job.name, status_url=status_url(job.id))


@router.get(
    "/jobs/{job_id}",
    responses={404: {"model": Problem, "description": "No job with this id was accepted"}},
)
async def job_status(
    job_id: uuid.UUID, request: Request, reader: JobStatusDep, settings: SettingsDep
) -> JobStatusOut:
    status = await run_in_threadpool(reader.read, str(job_id))
    if status is None and settings.has_database:
        from .database import staged_job  # noqa: PLC0415 (the database extra)

        staged = await staged_job(request.app, str(job_id))
        if staged is not None:
            return staged
    if status is None:
        raise HTTPException(404, f"No job with id {job_id} was accepted by this service.")
    return JobStatusOut(
        id=status.id,
        name=status.name,
        state=status.state,
        accepted_at=status.accepted_at,
        retries=status.retries,
        progress=status.progress,
        result=status.result,
        error=None if status.error is None else JobErrorOut(**status.error.__dict__),
    )
