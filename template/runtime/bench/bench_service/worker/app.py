"""The bench worker's Celery app: the bench's jobs, registered by the runtime."""

from durable_jobs import create_worker_app

from .. import jobs
from ..settings import get_settings

app = create_worker_app(get_settings(), jobs)
