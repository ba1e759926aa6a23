"""The worker runs jobs only: one that finds a plain Celery task (`@shared_task`,
`@app.task`) among its tasks refuses to start, naming it.

A plain task would run without what makes a job durable here: no record for
`/jobs/{id}` or the lost-job sweep, no payload model, no dead letter with its
arguments, no limits within a spec. Refusing at start says so once, where a message
sent to it later would only fail (unregistered) or run unguarded. Celery's own tasks
(`celery.*`: a chord's or a chain's plumbing, `celery.accumulate`) are welcome.
"""

from typing import Any

from celery import bootsteps

from .job_task import JobTaskClass


class PlainTaskRefused(RuntimeError):
    pass


def plain_tasks(tasks: dict[str, Any]) -> list[str]:
    """Names and modules of the tasks that are neither jobs nor Celery's own."""
    return sorted(
        f"{name} ({getattr(task, '__module__', '?')})"
        for name, task in tasks.items()
        if not name.startswith("celery.") and not isinstance(task, JobTaskClass)
    )


class OnlyJobs(bootsteps.StartStopStep):
    """Runs once the worker has imported its modules (`--include` too), before it
    consumes anything; Celery logs the error and the worker exits with status 1."""

    def start(self, parent: Any) -> None:
        found = plain_tasks(parent.app.tasks)
        if found:
            raise PlainTaskRefused(
                f"this worker runs jobs only, and found plain Celery tasks: {', '.join(found)}. "
                "Declare each as a job (`@job(JobSpec(...))` in a module of the jobs "
                "package, as the README's 'Add a job' shows): jobs are recorded, "
                "limited, retried and dead-lettered; plain tasks would not be."
            )
