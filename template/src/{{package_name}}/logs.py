"""One log format for the API, the worker and Beat: JSON lines (LOG_FORMAT=console for
a terminal), each carrying the context bound for it (the request id in the API; the
job's id, name, queue, attempt and request id in the worker), so a request can be
followed into the jobs it caused.

Code logs with the standard library (`logging.getLogger(__name__)`) or structlog;
uvicorn's and Celery's own lines pass through the same formatter.
"""

import logging
import sys
from typing import Any

import structlog

HANDLER_NAME = "service-json"
# Loggers that set up handlers of their own; theirs go, ours take over.
OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task")

SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str, log_format: str = "json") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=SHARED,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    # Replace only our own handler: others (pytest's log capture) stay.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != HANDLER_NAME] + [handler]
    root.setLevel(level)
    for name in OWN_HANDLERS:
        logger = logging.getLogger(name)
        # A logger silenced on purpose (uvicorn's access log with --no-access-log) has
        # no handlers and does not propagate: it stays silent.
        if logger.handlers:
            logger.handlers.clear()
            logger.propagate = True
    structlog.configure(
        # Drop lines below the level before any processing: a worker logs several per job.
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
