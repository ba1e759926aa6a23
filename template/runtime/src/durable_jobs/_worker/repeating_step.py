"""A worker bootstep that calls something every few seconds from the worker's main
process, on the event loop's own timer (so a stuck loop stops it too)."""

from collections.abc import Callable
from typing import Any

from celery import bootsteps

# Every how many seconds, what to call, with which arguments.
Schedule = tuple[float, Callable[..., None], tuple[Any, ...]]


class RepeatingStep(bootsteps.StartStopStep):
    """Subclasses say what to call and how often (`schedule`), or None for not at all."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._timer_entry: Any = None

    def schedule(self, parent: Any) -> Schedule | None:
        raise NotImplementedError

    def start(self, parent: Any) -> None:
        scheduled = self.schedule(parent)
        if scheduled is not None:
            interval, call, args = scheduled
            self._timer_entry = parent.timer.call_repeatedly(interval, call, args)

    def stop(self, parent: Any) -> None:
        if self._timer_entry is not None:
            self._timer_entry.cancel()
