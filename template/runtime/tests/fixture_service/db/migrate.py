"""Bring the database to the newest revision:

    python -m fixture_service.db.migrate

What `make migrate`, compose's `migrate` service and the API's init container run. It
needs no alembic.ini, so it works from the installed package in the image.
"""

from alembic import command
from alembic.config import Config

from ..settings import Settings

SCRIPT_LOCATION = "fixture_service.db:migrations"


def upgrade(settings: Settings | None = None, revision: str = "head") -> None:
    """To `revision` in the database of `settings` (default: the environment's)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["settings"] = settings
    command.upgrade(config, revision)


if __name__ == "__main__":
    upgrade()
