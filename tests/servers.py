"""The servers the template's suite talks to: private Redis, RabbitMQ and PostgreSQL
instances started once per run, unless a variable points at existing ones.

`make test` starts them in the pytest process that owns the run, before xdist starts
its workers; the workers inherit the variables and so share the servers. Nothing the
suite does lands in a developer's own servers.
"""

from __future__ import annotations

import os
import time
from contextlib import ExitStack

import pytest
from durable_jobs.testing.local_servers import (
    ServerUnavailable,
    answers,
    private_server,
    require_programs,
)

# The variable that points the suite at an existing server of each kind.
VARIABLES = {"redis": "REDIS_URL", "rabbitmq": "RABBITMQ_URL", "postgresql": "TEST_DATABASE_SERVER"}
# Tools the suite runs itself, by their Debian packages: psql creates the PostgreSQL
# option's databases, ip the network namespaces of the "no server runs" tests.
TOOLS = {"psql": "postgresql-client", "ip": "iproute2"}


def start_private_servers(stack: ExitStack) -> str:
    """Start a private server for each kind whose variable is unset, export the
    variables, and say what the run uses. A server a variable names must answer."""
    used, wanted = [], []
    for kind, variable in VARIABLES.items():
        url = os.environ.get(variable)
        if not url:
            wanted.append(kind)
        elif not answers(url):
            raise ServerUnavailable(
                f"{variable}={url} does not answer. Start that server, or unset "
                f"{variable} to have the suite start a private {kind}."
            )
        else:
            used.append(f"{kind} at {url} (from {variable})")
    require_programs(wanted, TOOLS)
    for kind in wanted:
        began = time.monotonic()
        url = stack.enter_context(private_server(kind)).url
        os.environ[VARIABLES[kind]] = url
        used.append(f"a private {kind} at {url} (started in {time.monotonic() - began:.1f} s)")
    return "The suite uses " + ", ".join(used)


def server_url(kind: str) -> str:
    """The URL of the run's server of `kind`, for a fixture."""
    url = os.environ.get(VARIABLES[kind])
    if not url:
        pytest.fail(
            f"This test needs {kind}: run it without --without-servers, or set "
            f"{VARIABLES[kind]} to a server that answers.",
            pytrace=False,
        )
    return url
