"""`python -m <package>.worker [options]`: a worker on this service's app, with Celery's
worker options (`--help` lists them)."""

from durable_jobs import run_worker

from .app import app

if __name__ == "__main__":
    run_worker(app, prog_name=f"python -m {__package__}")
