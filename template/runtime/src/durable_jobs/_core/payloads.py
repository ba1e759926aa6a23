"""What every job payload is: a frozen pydantic model that travels as JSON, so it holds
ids and small values, never ORM objects or blobs."""

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

# No control characters: PostgreSQL refuses NUL in text, and none belongs in a name;
# the API answers such input with a 422 naming the field instead of failing later.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"

M = TypeVar("M", bound=BaseModel)


class Payload(BaseModel):
    # hide_input_in_errors: a payload a worker refuses is logged (and kept as a dead
    # letter's error) without the values it held, which may be personal data.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class InvalidPayload(ValueError):
    """A job's payload that its model refused: never retried (it would fail the same way
    every time). Celery cannot rebuild pydantic's ValidationError where a result is read
    (`AsyncResult.get`, a chain's caller) and stores its message empty; this one travels
    whole, naming the fields and rules, never the values."""


def validated(job_name: str, model: type[M], payload: Any) -> M:
    """`payload` as `model`, or InvalidPayload; `from None`: a model without
    `hide_input_in_errors` would print the values in the chained traceback."""
    try:
        return model.model_validate(payload)
    except ValidationError as refused:
        errors = refused.errors(include_url=False, include_input=False, include_context=False)
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '(the payload)'}: "
            f"{error['msg']} [{error['type']}]"
            for error in errors
        )
        message = f"{job_name}: the payload is not a valid {model.__name__}: {problems}"
        raise InvalidPayload(message) from None
