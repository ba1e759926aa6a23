"""A long job whose progress is visible while it runs."""

from fastapi import APIRouter, Response
from pydantic import Field

from durable_jobs.web import QUEUE_UNAVAILABLE, Body, JobAccepted, JobsDep, accepted

from ...jobs.report import Report, build_report

router = APIRouter(tags=["reports"])


class ReportRequest(Body):
    rows: int = Field(1000, gt=0, le=1_000_000)
    seconds_per_step: float = Field(0.05, ge=0, le=1)


@router.post("/reports", status_code=202, responses=QUEUE_UNAVAILABLE)
async def create_report(body: ReportRequest, response: Response, jobs: JobsDep) -> JobAccepted:
    return accepted(await jobs.enqueue(build_report, Report(**body.model_dump())), response)
