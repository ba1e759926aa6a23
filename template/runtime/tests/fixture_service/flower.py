"""Flower, the Celery web monitor, never without authentication:
`python -m fixture_service.flower [flower options]`."""

from durable_jobs import run_flower

from .settings import get_settings

if __name__ == "__main__":
    run_flower(get_settings(), f"{__package__}.worker.app")
