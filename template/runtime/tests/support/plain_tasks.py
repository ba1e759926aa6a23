"""A plain Celery task, as a user might write one next to the jobs: the worker refuses
to start with it (`_worker/only_jobs.py`). Loaded only with `--include`."""

from celery import shared_task


@shared_task(name="legacy.send_sms")
def send_sms(number: str, text: str) -> None:
    raise AssertionError("a worker that refuses plain tasks never runs this")
