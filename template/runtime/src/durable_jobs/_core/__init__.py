"""Shared by the API and the worker: declarations, Celery configuration, records and
the enqueue path. Never imports the web stack or the worker machinery."""
