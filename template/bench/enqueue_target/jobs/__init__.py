"""The bench's job (discovered like a service's)."""
