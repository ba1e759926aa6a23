"""A long job whose progress is visible while it runs."""

from fastapi import APIRouter, Response

from ...jobs.catalog import REPORT
from ...jobs.payloads import Report
from ..dependencies import JobsDep
from ..request_id import current_request_id
from ..schemas import JobAccepted, ReportRequest
from .jobs import QUEUE_UNAVAILABLE, accepted

router = APIRouter(tags=["reports"])


@router.post(
    "/reports",
    status_code=202,
    responses=QUEUE_UNAVAILABLE,
)
async def create_report(body: ReportRequest, response: Response, jobs: JobsDep) -> JobAccepted:
    job = await jobs.enqueue(REPORT, Report(**body.model_dump()), request_id=current_request_id())
    return accepted(job, response)
