"""The runtime's HTTP face for services with a database (DATABASE_URL; the `database`
extra): a session per request, and the 503 a route documents when it writes."""

from ._web.database import DATABASE_UNAVAILABLE, SessionDep

__all__ = ["DATABASE_UNAVAILABLE", "SessionDep"]
