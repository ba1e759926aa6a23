"""The servers a service needs, for `make dev` and the tests: the ones its settings
name (the environment, then `.env`); else the default address when something answers
there; else a private one on a free loopback port for as long as the command runs.

    python -m durable_jobs.testing.with_servers SETTINGS [--for-tests] COMMAND...

SETTINGS names the service's settings class (`package.settings:Settings`): Redis
always, RabbitMQ when its BROKER_URL is `amqp://`, PostgreSQL when it has a
DATABASE_URL (for tests, TEST_DATABASE_SERVER: the server their databases are
created on).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from .._core.settings import RuntimeSettings
from .local_servers import ServerUnavailable, answers, private_server

# The server the tests create their databases on (trust or password in the URL).
DEFAULT_TEST_DATABASE_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

NAMES = {"redis": "Redis", "rabbitmq": "RabbitMQ", "postgresql": "PostgreSQL"}


@dataclass(frozen=True)
class Need:
    kind: str
    variable: str
    url: str
    # Named by the environment or .env, as something other than the default: then it
    # must answer, and nothing private is started in its place.
    configured: bool


def _need(settings: RuntimeSettings, kind: str, variable: str, field: str, url: str) -> Need:
    default: Any = type(settings).model_fields[field].default
    default_url = default.get_secret_value() if hasattr(default, "get_secret_value") else default
    return Need(kind, variable, url, url != default_url)


def needs(settings: RuntimeSettings, for_tests: bool = False) -> list[Need]:
    """What `settings` needs: Redis always, RabbitMQ for an amqp BROKER_URL, PostgreSQL
    with a DATABASE_URL (for tests, the server their databases are created on)."""
    found = [_need(settings, "redis", "REDIS_URL", "redis_url", settings.redis_url)]
    if settings.broker_url.startswith("amqp"):
        found.append(_need(settings, "rabbitmq", "BROKER_URL", "broker_url", settings.broker_url))
    if settings.has_database and for_tests:
        server = os.environ.get("TEST_DATABASE_SERVER", "")
        url = server or DEFAULT_TEST_DATABASE_SERVER
        found.append(Need("postgresql", "TEST_DATABASE_SERVER", url, bool(server)))
    elif settings.has_database and settings.database_url is not None:
        url = settings.database_url.get_secret_value()
        found.append(_need(settings, "postgresql", "DATABASE_URL", "database_url", url))
    return found


def _shown(url: str) -> str:
    """The URL without its password, for a line people read."""
    scheme, _, rest = url.partition("://")
    credentials, _, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':')[0]}:***@{host}" if ":" in credentials else url


def _with_database(server: str, wanted: str) -> str:
    """The private server's URL with the database `wanted` names, created empty."""
    from sqlalchemy import create_engine, make_url, text  # noqa: PLC0415 (the database extra)

    name = make_url(wanted).database or "postgres"
    url = make_url(server)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@contextmanager
def provided(needs: list[Need]) -> Iterator[tuple[dict[str, str], str]]:
    """Variables pointing at a server for each need, and one line saying which."""
    variables: dict[str, str] = {}
    said: list[str] = []
    with ExitStack() as stack:
        for need in needs:
            name = NAMES[need.kind]
            if answers(need.url):
                variables[need.variable] = need.url
                said.append(f"{name} at {_shown(need.url)}")
                continue
            if need.configured:
                raise ServerUnavailable(
                    f"{need.variable} names {_shown(need.url)}, which does not answer: start "
                    f"it, or remove {need.variable} from the environment and .env to have "
                    f"a private {name} started for the run."
                )
            server = stack.enter_context(private_server(need.kind)).url
            if need.variable == "DATABASE_URL":
                server = _with_database(server, need.url)
            variables[need.variable] = server
            said.append(
                f"a private {name} at {_shown(server)} (nothing answers at {_shown(need.url)})"
            )
        yield variables, "Servers: " + "; ".join(said) + "."
