"""The runtime's optional dependencies (its extras), checked against the settings at
start-up: a service configured for RabbitMQ or a database without the extra that
serves it stops with what to install, not with an ImportError deep in a request."""

from importlib.util import find_spec

from .broker_options import is_redis
from .settings import RuntimeSettings


class MissingExtra(RuntimeError):
    """The settings need an extra of the runtime that is not installed."""


# extra -> (the modules it installs, what in the settings needs it)
EXTRAS = {
    "rabbitmq": (("aio_pika",), "BROKER_URL names RabbitMQ (amqp://)"),
    "database": (("sqlalchemy", "psycopg", "alembic"), "DATABASE_URL is set"),
}


def needed_extras(settings: RuntimeSettings) -> list[str]:
    needed = []
    if not is_redis(settings.effective_broker_url):
        needed.append("rabbitmq")
    if settings.has_database:
        needed.append("database")
    return needed


def check_extras(settings: RuntimeSettings) -> None:
    for extra in needed_extras(settings):
        modules, reason = EXTRAS[extra]
        missing = [module for module in modules if find_spec(module) is None]
        if missing:
            raise MissingExtra(
                f"{reason}, which needs the runtime's `{extra}` extra ({', '.join(missing)} "
                f'not installed): depend on "durable-jobs[{extra}]" in pyproject.toml (the '
                "template does that for the option: `copier update` with it on), then uv sync."
            )
