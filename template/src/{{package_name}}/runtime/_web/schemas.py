"""Bodies the runtime's own routes answer with, and the base of request bodies."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    """A request body: unknown fields are refused (422), not silently dropped. Types are
    strict (`true` is not a 1-cent amount, `"100"` not a number) and numbers finite
    (JSON has no NaN or Infinity, though Python's parser reads them)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class JobAccepted(BaseModel):
    id: str
    name: str
    status_url: str


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


class Problem(BaseModel):
    detail: str
