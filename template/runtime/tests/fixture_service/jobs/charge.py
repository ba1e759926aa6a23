"""Charging a customer: must happen once per idempotency key, whatever the broker does."""

from typing import Any

from pydantic import Field

from durable_jobs import PRINTABLE, JobSpec, JobTask, Payload, Queue, idempotent, job

from ..integrations import payments
from ..settings import get_settings


class Charge(Payload):
    idempotency_key: str = Field(
        min_length=8,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Same key, same charge: a retried request or a redelivered "
        "message never charges twice.",
    )
    customer_id: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    amount_cents: int = Field(gt=0, le=100_000_000)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


CHARGE = JobSpec(
    name="billing.charge",
    payload=Charge,
    soft_time_limit=10,
    time_limit=15,
    max_retries=5,
    retry_backoff_max=300,
    queue=Queue.HIGH,
    retry_on=(ConnectionError, TimeoutError),
)


@job(CHARGE)
def charge(task: JobTask, payload: Charge) -> dict[str, Any]:
    prefix = get_settings().key_prefix
    with idempotent(task, f"charge:{payload.idempotency_key}") as claim:
        if not claim.done:
            receipt = payments.receipt_for(payload, job_id=str(task.request.id))
            claim.commit(receipt, also=lambda pipe: payments.record_charge(pipe, prefix, receipt))
        result: dict[str, Any] = claim.result
        return result
