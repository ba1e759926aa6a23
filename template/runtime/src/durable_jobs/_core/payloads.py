"""What every job payload is: a frozen pydantic model that travels as JSON, so it holds
ids and small values, never ORM objects or blobs."""

from pydantic import BaseModel, ConfigDict

# No control characters: PostgreSQL refuses NUL in text, and none belongs in a name;
# the API answers such input with a 422 naming the field instead of failing later.
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"


class Payload(BaseModel):
    # hide_input_in_errors: a payload a worker refuses is logged (and kept as a dead
    # letter's error) without the values it held, which may be personal data.
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)
