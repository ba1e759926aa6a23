"""A stand-in payment provider whose ledger lives in Redis.

Real providers take an idempotency key; this one records each charge under its key in
the same Redis transaction that marks the job done, so the example is exactly once.
"""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.client import Pipeline

if TYPE_CHECKING:  # the job imports this module
    from ..jobs.charge import Charge


def ledger_key(prefix: str) -> str:
    return f"{prefix}ledger:charges"


def receipt_for(charge: "Charge", job_id: str) -> dict[str, Any]:
    return {
        "idempotency_key": charge.idempotency_key,
        "customer_id": charge.customer_id,
        "amount_cents": charge.amount_cents,
        "currency": charge.currency,
        "charged_by_job": job_id,
        "charged_at": datetime.now(UTC).isoformat(),
    }


def record_charge(pipe: Pipeline, prefix: str, receipt: dict[str, Any]) -> None:
    pipe.rpush(ledger_key(prefix), json.dumps(receipt))


def charges(redis: Redis, prefix: str) -> list[dict[str, Any]]:
    return [json.loads(str(entry)) for entry in redis.lrange(ledger_key(prefix), 0, -1)]
