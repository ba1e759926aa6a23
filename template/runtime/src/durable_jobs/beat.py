"""The runtime's face for Celery Beat (the `beat` extra: celery-redbeat): one active
scheduler, a standby that takes over."""

from ._worker.beat import configure_beat

__all__ = ["configure_beat"]
