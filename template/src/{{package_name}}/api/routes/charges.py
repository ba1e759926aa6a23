"""Charging a customer, exactly once per Idempotency-Key."""

from typing import Annotated

from fastapi import APIRouter, Header, Response

from ...jobs.catalog import CHARGE
from ...jobs.payloads import Charge
from ..dependencies import JobsDep
from ..request_id import current_request_id
from ..schemas import ChargeRequest, JobAccepted
from .jobs import QUEUE_UNAVAILABLE, accepted

router = APIRouter(tags=["billing"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Your key for this charge: sending it again never charges twice.",
    ),
]


@router.post(
    "/charges",
    status_code=202,
    responses=QUEUE_UNAVAILABLE,
)
async def create_charge(
    body: ChargeRequest, idempotency_key: IdempotencyKey, response: Response, jobs: JobsDep
) -> JobAccepted:
    payload = Charge(idempotency_key=idempotency_key, **body.model_dump())
    job = await jobs.enqueue(CHARGE, payload, request_id=current_request_id())
    return accepted(job, response)
