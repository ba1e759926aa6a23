"""The endpoint the bench loads: validate, enqueue, answer 202 with the job id."""

from fastapi import APIRouter, Response
from pydantic import Field

from durable_jobs.web import QUEUE_UNAVAILABLE, Body, JobAccepted, JobsDep, accepted

from ..jobs.target import Target, target

router = APIRouter(tags=["bench"])


class TargetIn(Body):
    rows: int = Field(gt=0, le=1000)
    label: str = Field(min_length=1, max_length=64)


@router.post("/targets", status_code=202, responses=QUEUE_UNAVAILABLE)
async def create_target(body: TargetIn, response: Response, jobs: JobsDep) -> JobAccepted:
    job = await jobs.enqueue(target, Target(rows=body.rows, label=body.label))
    return accepted(job, response)
