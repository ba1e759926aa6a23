"""The service's Beat app with one extra entry, a tick every second, for the failover
test: `celery --app beat_with_tick beat`."""

# Imported for what it configures: redbeat and its lock.
import fixture_service.worker.beat  # noqa: F401
from chaos_tasks import TICK, Nothing
from fixture_service.worker.app import app

# The tick replaces the service's own (nightly) schedule.
app.conf.beat_schedule = {
    "tick-every-second": {"task": TICK.name, "schedule": 1.0, "args": [Nothing().model_dump()]},
}
