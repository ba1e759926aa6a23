"""Throwaway PostgreSQL databases for the rendered projects that use one, through `psql`
(the template's own environment needs no database driver)."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from servers import server_url


def psql(sql: str, url: str | None = None) -> str:
    url = url or server_url("postgresql")
    result = subprocess.run(
        ["psql", url.replace("+psycopg", ""), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"psql failed on {url}: {result.stderr.strip()}\nThe PostgreSQL option's tests "
            "need a server where they may create databases: the suite's private one, or "
            "TEST_DATABASE_SERVER pointing at one.",
            pytrace=False,
        )
    return result.stdout.strip()


def create_database() -> str:
    """A new empty database; its SQLAlchemy URL, as DATABASE_URL takes it."""
    name = f"template_test_{uuid.uuid4().hex[:10]}"
    psql(f'CREATE DATABASE "{name}"')
    server = server_url("postgresql").replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{server.rsplit('/', 1)[0]}/{name}"


def drop_database(url: str) -> None:
    psql(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
