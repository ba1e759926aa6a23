"""Charging a customer, exactly once per Idempotency-Key."""

from typing import Annotated

from fastapi import APIRouter, Header, Response
from pydantic import Field

from durable_jobs import PRINTABLE
from durable_jobs.web import QUEUE_UNAVAILABLE, Body, JobAccepted, JobsDep, accepted

from ...jobs.charge import Charge, charge

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


class ChargeRequest(Body):
    customer_id: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    amount_cents: int = Field(gt=0, le=100_000_000)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


@router.post("/charges", status_code=202, responses=QUEUE_UNAVAILABLE)
async def create_charge(
    body: ChargeRequest, idempotency_key: IdempotencyKey, response: Response, jobs: JobsDep
) -> JobAccepted:
    payload = Charge(idempotency_key=idempotency_key, **body.model_dump())
    return accepted(await jobs.enqueue(charge, payload), response)
