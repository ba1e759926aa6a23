"""The worker's machinery: task registration, lifecycle signals, bookkeeping steps,
metrics. Never imports the web stack."""
