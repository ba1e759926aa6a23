"""Alembic's entry point: `make migrate` (or `alembic upgrade head`) runs it.

The URL comes from the service's settings (DATABASE_URL), never from alembic.ini, so
migrations always reach the database the service uses.
"""

from alembic import context
from sqlalchemy import text

from durable_jobs.database import OUTBOX_METADATA, sync_engine
from fixture_service.db.models import Base
from fixture_service.settings import get_settings

# Every API replica may run the migrations as it starts; a transaction-scoped advisory
# lock lets one of them do it while the others wait, then find nothing left to do.
MIGRATION_LOCK = 0x6D69677261746531


def run_migrations() -> None:
    engine = sync_engine(context.config.attributes.get("settings") or get_settings())
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            context.configure(
                connection=connection,
                target_metadata=[Base.metadata, OUTBOX_METADATA],
                compare_type=True,
            )
            context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not set up: run them against the database.")
run_migrations()
