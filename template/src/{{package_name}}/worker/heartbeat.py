"""A file the worker's main loop touches, for liveness probes (see `probes.py`).

Touched from the event loop that also consumes and acknowledges messages, not from a
thread of its own: a worker whose loop is stuck stops touching it and is restarted,
whereas a thread would keep a hung worker looking alive.
"""

import logging
from pathlib import Path
from typing import Any

from celery import bootsteps

from ..settings import get_settings

HEARTBEAT_INTERVAL = 10.0
log = logging.getLogger(__name__)


def touch(path: Path) -> None:
    try:
        path.touch()
    except OSError as exc:
        log.warning("heartbeat file %s not touched: %s", path, exc)


class Heartbeat(bootsteps.StartStopStep):
    """Touches HEARTBEAT_FILE every HEARTBEAT_INTERVAL seconds; off when it is empty."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self._timer_entry: Any = None

    def start(self, parent: Any) -> None:
        path = get_settings().heartbeat_file
        if path is None:
            return
        touch(path)
        self._timer_entry = parent.timer.call_repeatedly(HEARTBEAT_INTERVAL, touch, (path,))

    def stop(self, parent: Any) -> None:
        if self._timer_entry is not None:
            self._timer_entry.cancel()
