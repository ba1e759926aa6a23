"""A service whose settings need an extra of the runtime that is not installed stops
at start-up and says which extra to install."""

import sys

import pytest

from durable_jobs import RuntimeSettings
from durable_jobs._core.celery_app import make_celery
from durable_jobs._core.extras import MissingExtra

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/jobs"


def settings(**values: str) -> RuntimeSettings:
    return RuntimeSettings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "module", "extra"),
    [
        ({"broker_url": RABBITMQ}, "aio_pika", "rabbitmq"),
        ({"database_url": DATABASE}, "sqlalchemy", "database"),
    ],
)
def test_settings_that_need_a_missing_extra_stop_the_apps_with_its_name(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], module: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    with pytest.raises(MissingExtra, match=rf'"durable-jobs\[{extra}\]"'):
        make_celery(settings(**values), ())


def test_a_redis_service_without_a_database_needs_no_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for module in ("aio_pika", "sqlalchemy", "psycopg", "alembic"):
        monkeypatch.setitem(sys.modules, module, None)
    make_celery(settings(), ())
