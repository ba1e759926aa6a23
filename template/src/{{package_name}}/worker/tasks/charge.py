"""Charging a customer: must happen once per idempotency key, whatever the broker does."""

from typing import Any

from ...jobs.catalog import CHARGE
from ...jobs.payloads import Charge
from .. import payments, resources
from ..job_task import AnyTask, job_task


@job_task(CHARGE, retry_on=(ConnectionError, TimeoutError))
def charge(task: AnyTask, payload: Charge) -> dict[str, Any]:
    prefix = resources.settings().key_prefix
    with resources.idempotency_for(CHARGE).claim(
        f"charge:{payload.idempotency_key}", owner=str(task.request.id or "")
    ) as claim:
        if not claim.done:
            receipt = payments.receipt_for(payload, job_id=str(task.request.id))
            claim.commit(receipt, also=lambda pipe: payments.record_charge(pipe, prefix, receipt))
        result: dict[str, Any] = claim.result
        return result
