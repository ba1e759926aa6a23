"""Bodies the runtime's own routes answer with, and the base of request bodies."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from .._core.status import JOB_STATES


class Body(BaseModel):
    """A request body: unknown fields are refused (422), not silently dropped. Types are
    strict (`true` is not a 1-cent amount, `"100"` not a number) and numbers finite
    (JSON has no NaN or Infinity, though Python's parser reads them)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _whole_floats_are_integers(cls, value: Any, info: ValidationInfo) -> Any:
        # JSON Schema's "integer" is any number without a fraction (`2182.0` too), and
        # clients that serialise numbers as floats send them; strict mode alone would
        # refuse what the OpenAPI schema allows. Fractions, NaN and Infinity stay refused.
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and field.annotation is int and isinstance(value, float):
            return int(value) if value.is_integer() else value
        return value


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
    state: str = Field(
        description="PENDING (accepted, waiting), STARTED, PROGRESS, RETRY (failed, will "
        "run again), SUCCESS, FAILURE (for good: a dead letter) or REVOKED (cancelled "
        "with `celery revoke`)",
        json_schema_extra={"enum": list(JOB_STATES)},
    )
    accepted_at: str
    retries: int
    progress: dict[str, Any] | None = None
    result: Any = Field(None, description="For large outputs, a pointer (uri, bytes, sha256)")
    error: JobErrorOut | None = None


class Problem(BaseModel):
    detail: str
