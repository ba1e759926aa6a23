"""The id of the HTTP request being served, for the jobs it enqueues.

Set by the API's request-id middleware; read by `JobClient.enqueue`, so a job carries
its request's id without every route passing it along. Empty outside a request.
"""

from contextvars import ContextVar

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _current.get()


def set_request_id(request_id: str | None) -> object:
    """Returns a token for `reset_request_id`."""
    return _current.set(request_id)


def reset_request_id(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]
