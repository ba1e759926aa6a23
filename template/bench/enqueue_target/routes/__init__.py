"""The bench's route (discovered like a service's)."""
