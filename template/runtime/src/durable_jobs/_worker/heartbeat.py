"""A file the worker's main loop touches, for liveness probes (see `probes.py`).

Touched from the event loop that also consumes and acknowledges messages, not from a
thread of its own: a worker whose loop is stuck stops touching it and is restarted,
whereas a thread would keep a hung worker looking alive.
"""

import logging
from pathlib import Path
from typing import Any

from . import resources
from .repeating_step import RepeatingStep, Schedule

HEARTBEAT_INTERVAL = 10.0
log = logging.getLogger(__name__)


def touch(path: Path) -> None:
    try:
        path.touch()
    except OSError as exc:
        log.warning("heartbeat file %s not touched: %s", path, exc)


class Heartbeat(RepeatingStep):
    """Touches HEARTBEAT_FILE every HEARTBEAT_INTERVAL seconds; off when it is empty."""

    def schedule(self, parent: Any) -> Schedule | None:
        path = resources.settings().heartbeat_file
        if path is None:
            return None
        touch(path)
        return HEARTBEAT_INTERVAL, touch, (path,)
