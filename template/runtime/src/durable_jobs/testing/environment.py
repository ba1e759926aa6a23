"""A test run's environment: the servers its settings need, put where settings and the
service's processes read them, and the environment of one service process."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values
from pydantic import SecretStr

from .._core.settings import RuntimeSettings
from .servers import needs, provided

# In the order the settings read them (`_core/settings.py`): a later file wins.
DOTENV_FILES = (".env.secrets", ".env")


def with_dotenv(environ: Mapping[str, str], directory: Path) -> dict[str, str]:
    """`environ`, plus what the `.env` files in `directory` set and it does not, by the
    settings' rules: the environment wins over `.env`, `.env` over `.env.secrets`, and
    an empty value means unset. For what reads variables outside the settings: the
    Procfile's shell (API_PORT, FLOWER_PORT, WORKER_METRICS_PORT), Flower."""
    merged: dict[str, str] = {}
    for name in DOTENV_FILES:
        if (directory / name).is_file():
            values = dotenv_values(directory / name)
            merged.update({key: value for key, value in values.items() if value})
    merged.update({key: value for key, value in environ.items() if value or key not in merged})
    return merged


@contextmanager
def servers_in_environment(settings: RuntimeSettings) -> Iterator[str]:
    """The servers `settings` name, else private ones (for tests: a server to create
    databases on), their URLs in `os.environ` until the block ends; yields the line
    that says which. Raises ServerUnavailable when a configured one does not answer."""
    with provided(needs(settings, for_tests=True)) as (variables, said):
        previous = dict(os.environ)
        os.environ.update(variables)
        try:
            yield said
        finally:
            os.environ.clear()
            os.environ.update(previous)


def service_env(settings: RuntimeSettings, **extra: str) -> dict[str, str]:
    """The environment of a service process run on `settings`: this process's, outside
    any virtual environment, each setting as its variable (secrets revealed: the
    process must read them), then `extra`. Nothing comes from `.env`."""
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    for name, value in settings.model_dump(exclude_none=True).items():
        env[name.upper()] = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
    env.update(extra)
    return env
