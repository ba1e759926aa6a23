"""The request class of every job task (`JobTaskClass.Request`), in the worker's main
process, where a message becomes a job run. Celery has no hooks for these moments,
hence a subclass of its Request (private API: `overrides.py` refuses an untested
Celery minor).

- Arrival: a job sent by a plain Celery client (no enqueued-at header: nobody
  recorded it) gets its record here, so `/jobs/{id}` and the lost-job sweep know it
  from now on (`_core/celery_sends.py` records those sent on the service's app).
- Limits: a sender may shorten a job's time limits (Celery's `time_limit` and
  `soft_time_limit` options), never lengthen them past its spec.
- Acknowledgement: Celery acknowledges a late-acked message once its job is over for
  this delivery: after a success, but also after a retry (a new message carries the
  job on) or a final failure. Only a success ends the job here (`ended_jobs.py`);
  `on_failure` sees the rest (the pool process notes a final failure itself), and
  Celery's own `on_success` does not call ours, hence the flag.
"""

import logging
from typing import Any

from celery.worker.request import Request
from redis.exceptions import RedisError

from .._core.sending import ENQUEUED_AT_HEADER, REQUEST_ID_HEADER, payload_of
from . import resources
from .ended_jobs import note_succeeded

log = logging.getLogger(__name__)


def within_spec(
    asked: tuple[float | None, float | None], spec: tuple[float, float]
) -> tuple[float, float]:
    """(hard, soft) limits: the sender's where given and shorter, else the spec's."""
    return (
        min(asked[0] or spec[0], spec[0]),
        min(asked[1] or spec[1], spec[1]),
    )


class JobRequest(Request):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        task: Any = self.task
        spec = (task.time_limit, task.soft_time_limit)
        hard, soft = self.time_limits
        self.time_limits = within_spec((hard, soft), spec)
        if self.time_limits != (hard, soft) and (hard or soft):
            log.warning(
                "job %s asked for time limits %s; the spec allows at most %s",
                self.id,
                (hard, soft),
                spec,
            )
        if ENQUEUED_AT_HEADER not in self.request_dict:
            self._record_arrival()

    def _record_arrival(self) -> None:
        try:
            resources.job_records().accept_if_new(
                self.id,
                self.name,
                self.request_dict.get(REQUEST_ID_HEADER),
                payload_of(self.args, self.kwargs),
            )
        except (RedisError, OSError) as exc:
            log.warning("job %s sent without a record, not recorded: %s", self.id, exc)

    def on_failure(
        self, exc_info: Any, send_failed_event: bool = True, return_ok: bool = False
    ) -> Any:
        self._job_failed = True
        return super().on_failure(
            exc_info, send_failed_event=send_failed_event, return_ok=return_ok
        )

    def acknowledge(self) -> None:
        super().acknowledge()
        if self.task.acks_late and not getattr(self, "_job_failed", False) and self.id:
            note_succeeded(self.id)
