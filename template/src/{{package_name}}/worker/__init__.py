"""The Celery worker: its app, its execution settings and the tasks.

Never imports fastapi or the api package (an import-linter contract checks this).
"""
