"""Flower, the Celery web monitor, never without authentication:
`python -m <package>.flower [flower options]`."""

import os
import sys

from .settings import RuntimeSettings

MIN_PASSWORD_LENGTH = 16


def run_flower(settings: RuntimeSettings, app: str) -> None:
    """Replace this process with Flower on the Celery app at `app` (a module path)."""
    password = settings.flower_password.get_secret_value()
    if len(password) < MIN_PASSWORD_LENGTH:
        sys.exit(
            f"FLOWER_PASSWORD is empty or shorter than {MIN_PASSWORD_LENGTH} characters, and "
            "Flower never runs without authentication. Set it in .env or the environment "
            "(Copier generates one into .env.secrets)."
        )
    # Through the environment, not the command line, so `ps` does not show them. Flower
    # reads only its process's environment; the settings read `.env` too.
    os.environ["FLOWER_BASIC_AUTH"] = f"{settings.flower_user}:{password}"
    broker_api = settings.flower_broker_api.get_secret_value()
    if broker_api:
        os.environ["FLOWER_BROKER_API"] = broker_api
    else:  # an empty variable is not "no management API" to Flower
        os.environ.pop("FLOWER_BROKER_API", None)
    flower = [sys.executable, "-m", "celery", "--app", app, "flower", *sys.argv[1:]]
    # Replace this process (no shell, fixed command): signals reach Flower directly.
    os.execv(sys.executable, flower)  # noqa: S606
