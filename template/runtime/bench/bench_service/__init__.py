"""The service the bench measures: the runtime's API, worker and settings with a job and
a route of the bench's own (an enqueue target and a no-op), so no figure depends on the
jobs a service has, or has deleted. It reads the environment (and `.env`) as a service
does, so a project's `make bench` measures on the project's servers and knobs."""
