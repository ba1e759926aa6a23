"""What each job carries. Payloads travel as JSON, so they hold ids and small values,
never ORM objects or blobs."""

from pydantic import BaseModel, ConfigDict, EmailStr, Field

# No control characters: PostgreSQL refuses NUL in text, and none belongs in a name;
# the API answers such input with a 422 naming the field instead of failing later.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WelcomeEmail(Payload):
    user_id: int = Field(gt=0)
    email: EmailStr
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


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


class Report(Payload):
    rows: int = Field(1000, gt=0, le=1_000_000)
    seconds_per_step: float = Field(
        0.05, ge=0, le=1, description="Simulated work per tenth of the report."
    )


class CleanupOutputs(Payload):
    older_than_days: int = Field(7, ge=1, le=3650)
