"""`python -m bench_service.worker [celery worker options]`."""

from durable_jobs import run_worker

from .app import app

if __name__ == "__main__":
    run_worker(app, prog_name=f"python -m {__package__}")
