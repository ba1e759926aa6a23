"""The charge example's ledger as the tests read it: which idempotency keys were charged,
once per charge (a key listed twice was charged twice)."""

from fixture_service.integrations import payments
from fixture_service.settings import Settings
from redis import Redis


def charged_keys(redis: Redis, settings: Settings) -> list[str]:
    return [charge["idempotency_key"] for charge in payments.charges(redis, settings.key_prefix)]
