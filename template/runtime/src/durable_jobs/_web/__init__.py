"""The API's machinery: app factory, middlewares, error answers and the runtime's own
routes."""
