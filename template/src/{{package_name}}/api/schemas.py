"""Request and response bodies of the HTTP API."""

from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from ..jobs.payloads import PRINTABLE


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignupRequest(Body):
    email: EmailStr
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


class ChargeRequest(Body):
    customer_id: str = Field(min_length=1, max_length=64, pattern=PRINTABLE)
    amount_cents: int = Field(gt=0, le=100_000_000)
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


class ReportRequest(Body):
    rows: int = Field(1000, gt=0, le=1_000_000)
    seconds_per_step: float = Field(0.05, ge=0, le=1)


class JobAccepted(BaseModel):
    id: str
    name: str
    status_url: str


class SignupAccepted(BaseModel):
    user_id: int
    welcome_email: JobAccepted


class JobErrorOut(BaseModel):
    type: str
    message: str


class JobStatusOut(BaseModel):
    id: str
    name: str
    state: str = Field(description="PENDING, STARTED, PROGRESS, RETRY, SUCCESS or FAILURE")
    accepted_at: str
    retries: int
    progress: dict[str, Any] | None = None
    result: Any = Field(None, description="For large outputs, a pointer (uri, bytes, sha256)")
    error: JobErrorOut | None = None


class UserOut(BaseModel):
    id: int
    email: str
    name: str


class Problem(BaseModel):
    detail: str
