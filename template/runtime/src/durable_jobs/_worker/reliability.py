"""Execution settings that decide whether a job can be lost; each says why."""

from typing import Any

from .._core.declaration import DEFAULT_SOFT_TIME_LIMIT, DEFAULT_TIME_LIMIT


def reliability_settings() -> dict[str, Any]:
    return {
        # Acknowledge after the task finished, not when it was received: a worker
        # that dies mid-task leaves the message on the broker to be run again.
        "task_acks_late": True,
        # A child killed mid-task (OOM killer, SIGKILL) puts its message back
        # instead of marking the job failed...
        "task_reject_on_worker_lost": True,
        # ...but as a counted retry, so a job that kills its worker every time
        # ends in FAILURE after `max_retries` instead of looping forever.
        "task_retry_on_worker_lost": True,
        # Each process reserves one message at a time: a dead worker strands at
        # most one message per process, and long jobs do not hoard short ones.
        "worker_prefetch_multiplier": 1,
        # Every task gets limits, even one added without them; the catalog sets
        # tighter ones per job. The soft limit lets a task clean up first.
        "task_soft_time_limit": DEFAULT_SOFT_TIME_LIMIT,
        "task_time_limit": DEFAULT_TIME_LIMIT,
        # The API shows STARTED for jobs that keep a result.
        "task_track_started": True,
        # A worker that starts before the broker keeps trying instead of exiting.
        "broker_connection_retry_on_startup": True,
        "broker_connection_max_retries": None,
        # A child whose memory grew past this (KiB) is replaced after its job, so a slow
        # leak in a task cannot grow forever. By memory, not by a count of jobs:
        # each replacement stalls its slot for a moment (docs/performance.md), and a
        # child that does not leak never needs one.
        "worker_max_memory_per_child": 512 * 1024,
        # Events cost a publish per task state; Flower turns them on when it runs.
        "worker_send_task_events": False,
    }
