"""The runtime's face for Celery Beat (the `beat` extra: celery-redbeat): one active
scheduler, a standby that takes over; the schedule collected from the job modules."""

from ._core.schedule import discover_schedule
from ._worker.beat import configure_beat

__all__ = ["configure_beat", "discover_schedule"]
