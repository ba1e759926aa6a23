"""The API's limits: how long an enqueue may wait, how much a request may carry, and
who may read the admin routes."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings

from .connection_settings import Seconds

# As long as Flower's password must be: the token guards dead letters and user data.
MIN_ADMIN_TOKEN_LENGTH = 16


class ApiSettings(BaseSettings):
    enqueue_timeout: Seconds = Field(
        0.8,
        description="Longest an HTTP request waits for the broker to accept a job "
        "before answering 503.",
    )
    retry_after: int = Field(
        5, gt=0, description="Retry-After header (seconds) sent with 503 answers."
    )
    publish_queue_size: int = Field(
        2048,
        gt=0,
        description="Jobs that may wait for the API's publisher; beyond it new jobs are "
        "refused at once (503 with Retry-After): backpressure.",
    )
    publish_batch_size: int = Field(
        100, gt=0, description="Most jobs the API's publisher sends in one batch."
    )
    max_request_bytes: int = Field(
        64 * 1024, gt=0, description="Larger request bodies are refused with 413."
    )
    max_header_bytes: int = Field(
        32 * 1024,
        gt=0,
        description="Larger request heads (request line and headers) are refused with 431.",
    )
    request_read_timeout: Seconds = Field(
        10,
        description="A request not received whole this many seconds after its first byte "
        "is refused with 408 (a client sending slowly holds a connection no longer).",
    )
    admin_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token for /admin (dead letters) and user data, at least 16 "
        "characters; empty: those routes answer 404.",
    )

    @field_validator("admin_token")
    @classmethod
    def _admin_token_is_strong(cls, token: SecretStr) -> SecretStr:
        if 0 < len(token.get_secret_value()) < MIN_ADMIN_TOKEN_LENGTH:
            raise ValueError(
                f"ADMIN_TOKEN must be empty (admin routes off) or at least "
                f"{MIN_ADMIN_TOKEN_LENGTH} characters: it guards dead letters and user "
                "data (`python -c 'import secrets; print(secrets.token_hex(32))'` makes one)"
            )
        return token
