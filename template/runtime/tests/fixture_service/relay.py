"""The outbox relay, one process beside the API:

    python -m fixture_service.relay

What it does is in `durable_jobs/_core/relay.py` in runtime/.
"""

from durable_jobs import discover_jobs
from durable_jobs.database import run_relay

from . import jobs
from .settings import get_settings

if __name__ == "__main__":
    run_relay(get_settings(), discover_jobs(jobs))
