"""A database of a run's own (the `database` extra): created on a PostgreSQL server,
dropped with everything in it when the run ends."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError


class DatabaseRefused(Exception):
    """The server would not create the database (the user may not, or it is down)."""


@contextmanager
def own_database(
    server: str, prefix: str, prepare: Callable[[str], None] = lambda url: None
) -> Iterator[str]:
    """A new database named `prefix` and a random suffix on `server` (a URL whose user
    may create databases), `prepare`d (migrated, say) with its URL; yields that URL and
    drops the database afterwards, connections and all."""
    server_url = make_url(server)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        except OperationalError as exc:
            raise DatabaseRefused(
                f"PostgreSQL at {server_url.render_as_string()} did not create a database "
                f"({exc.orig}): this user must be allowed to create databases there."
            ) from exc
        try:
            url = server_url.set(database=name).render_as_string(hide_password=False)
            prepare(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
