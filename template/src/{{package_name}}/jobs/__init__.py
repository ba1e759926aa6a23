"""The door between the API and the worker: what can be enqueued and how.

Both sides import this package; it depends on celery, kombu and redis, never on
fastapi, so the worker never pays for the web stack.
"""
