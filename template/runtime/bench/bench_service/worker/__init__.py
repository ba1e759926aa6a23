"""The bench service's worker: `python -m bench_service.worker`, as a service's starts."""
