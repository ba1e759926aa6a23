"""One module per job; each registers itself with `@job_task(SPEC)`."""
