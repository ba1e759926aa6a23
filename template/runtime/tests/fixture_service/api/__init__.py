"""The HTTP side: the app factory and the service's routes.

Enqueues through the runtime; never imports the worker package.
"""
