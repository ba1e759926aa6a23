"""The HTTP side: FastAPI app factory, routes and their dependencies.

Enqueues through `jobs/`; never imports the worker package.
"""
