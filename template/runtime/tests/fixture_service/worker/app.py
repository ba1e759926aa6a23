"""The worker's Celery app: every job in the `jobs` package, registered by the runtime.
`python -m <package>.worker` runs a worker on it; `celery --app <package>.worker.app
status|inspect|purge|...` reaches the workers."""

from durable_jobs import create_worker_app

from .. import jobs
from ..settings import get_settings

app = create_worker_app(get_settings(), jobs)
