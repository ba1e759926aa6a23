"""Steps after a charge, for Celery's canvas: a receipt per charge (a chain's next step,
whose payload is the charge's result), one settlement per batch of charges (a chord's
callback, whose payload is the list of the batch's results), and a note of a charge
that failed (a `link_error` callback, whose payload is the failed job's id)."""

from pydantic import Field, RootModel

from durable_jobs import PRINTABLE, JobSpec, JobTask, Payload, job

from ..integrations.storage import storage


class Receipt(Payload):
    """What `billing.charge` returns: a chain passes it on as this job's payload."""

    idempotency_key: str = Field(min_length=8, max_length=128)
    customer_id: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    amount_cents: int = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    charged_by_job: str
    charged_at: str


class Receipts(RootModel[list[Receipt]]):
    """A chord's header results, in the header's order."""

    model_config = {"frozen": True, "hide_input_in_errors": True}


class FailedJob(RootModel[str]):
    """What Celery passes an error callback that takes one argument: the failed job's id."""

    model_config = {"frozen": True, "hide_input_in_errors": True}


RECEIPT = JobSpec(
    name="billing.receipt",
    payload=Receipt,
    soft_time_limit=10,
    time_limit=15,
    max_retries=3,
    retry_backoff_max=60,
    retry_on=(OSError,),
)

SETTLEMENT = JobSpec(
    name="billing.settlement",
    payload=Receipts,
    soft_time_limit=10,
    time_limit=15,
    max_retries=3,
    retry_backoff_max=60,
    retry_on=(OSError,),
)


CHARGE_FAILED = JobSpec(
    name="billing.charge_failed",
    payload=FailedJob,
    soft_time_limit=10,
    time_limit=15,
    max_retries=3,
    retry_backoff_max=60,
    retry_on=(OSError,),
)


@job(RECEIPT)
def write_receipt(task: JobTask, payload: Receipt) -> dict[str, str]:
    # Named by the charge's key: a redelivered step overwrites its own receipt.
    lines = [f"{payload.customer_id} paid {payload.amount_cents} {payload.currency}"]
    stored = storage().write_lines(f"receipts/{payload.idempotency_key}.txt", lines)
    return {"receipt": stored.uri, "charged_by_job": payload.charged_by_job}


@job(SETTLEMENT)
def settle(task: JobTask, payload: Receipts) -> dict[str, int]:
    totals: dict[str, int] = {}
    for receipt in payload.root:
        totals[receipt.currency] = totals.get(receipt.currency, 0) + receipt.amount_cents
    return totals


@job(CHARGE_FAILED)
def note_failed_charge(task: JobTask, payload: FailedJob) -> dict[str, str]:
    stored = storage().write_lines(f"failed-charges/{payload.root}.txt", [payload.root])
    return {"noted": payload.root, "file": stored.uri}
