"""One log format for the API, the worker and Beat: JSON lines (LOG_FORMAT=console for
a terminal), each carrying the context bound for it (the request id in the API; the
job's id, name, queue, attempt and request id in the worker), so a request can be
followed into the jobs it caused.

Code logs with the standard library (`logging.getLogger(__name__)`) or structlog
(`structlog.get_logger(__name__)`); uvicorn's and Celery's own lines pass through the
same formatter. structlog's lines skip the standard library's handlers:
they are rendered and written directly, and lines below the level cost nothing.
That path is for lines on every request or job (the access log, a job's start and
end), where the standard library's path costs a large share of a request.
"""

import logging
import re
import sys
from typing import Any

import structlog

HANDLER_NAME = "service-json"
# Loggers that set up handlers of their own; theirs go, ours take over.
OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "celery", "celery.task")

# What every line carries, from the standard library or from structlog.
SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


class StderrLogger(structlog.WriteLogger):
    """Writes to the process's own stderr (Celery replaces sys.stderr in workers with a
    proxy that would log each line again, as the message of another line), under the
    name given to `structlog.get_logger`."""

    def __init__(self, name: str = "root") -> None:
        super().__init__(sys.__stderr__)
        self.name = name


# Celery's "Task ... succeeded in 0.01s: <result>" line: results carry personal data
# (a recipient's address, a receipt), so the line keeps its place but not the result.
TASK_TRACE_LOGGER = "celery.app.trace"
HIDDEN = "(hidden; LOG_TASK_RESULTS=true shows it)"


class HideTaskData(logging.Filter):
    """Blanks the result, arguments and keyword arguments Celery passes to its trace
    lines (their format strings pick what they print from one dict of values)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict) and "return_value" in record.args:
            record.args = {**record.args, "return_value": HIDDEN, "args": HIDDEN, "kwargs": HIDDEN}
        return True


# Celery's consumer prints a message it cannot run (an unregistered task, an invalid or
# undecodable message) whole: body and headers, which carry the task's arguments. Each
# such line, by its first words: what it says instead, and how many of its leading
# values (the task's name, the error; never the body or headers) that keeps.
CONSUMER_LOGGER = "celery.worker.consumer.consumer"
NOT_LOGGED = "its body and headers (the task's arguments) are not logged"
REFUSED_MESSAGES = {
    "Received unregistered task of type": (
        "Received unregistered task of type %s. The message has been ignored and discarded; "
        f"{NOT_LOGGED}. A job is declared with @job in a module of the service's jobs "
        "package; a plain Celery task's module must be imported by the worker (--include).",
        1,
    ),
    "Received invalid task message": (
        f"Received invalid task message: %s. The message has been ignored; {NOT_LOGGED}.",
        1,
    ),
    "Can't decode message body": (
        f"Can't decode message body: %r [type:%r encoding:%r]; {NOT_LOGGED}.",
        3,
    ),
    "Received and deleted unknown message": (
        f"Received and deleted unknown message. Wrong destination?; {NOT_LOGGED}.",
        0,
    ),
}


class HideMessageBodies(logging.Filter):
    """Keeps what Celery's consumer says about a message it refuses (the task's name,
    the error), not the body and headers it would print with it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            for start, (text, kept) in REFUSED_MESSAGES.items():
                if record.msg.startswith(start):
                    args = record.args if isinstance(record.args, tuple) else ()
                    record.msg, record.args = text, args[:kept]
                    break
        return True


# Control characters but newline and tab (a traceback's lines), C1 controls included.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escaped_console() -> Any:
    """structlog's console renderer, whose lines cannot steer the terminal: a request
    path may carry an escape sequence (`%1b[2J` arrives decoded), which the console would
    run. Each control character is written as `\\xNN` instead (JSON escapes them already)."""
    console = structlog.dev.ConsoleRenderer(colors=False)

    def render(logger: Any, name: str, event: Any) -> str:
        line = str(console(logger, name, event))
        return CONTROL_CHARACTERS.sub(lambda found: f"\\x{ord(found[0]):02x}", line)

    return render


def configure_logging(level: str, log_format: str = "json", task_results: bool = False) -> None:
    # Our lines carry what structlog's processors add; the standard library would
    # still look up the thread, process and asyncio task of every record, for fields
    # no formatter here prints.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    if hasattr(logging, "logAsyncioTasks"):  # Python 3.12+
        logging.logAsyncioTasks = False
    renderer: Any = (
        structlog.processors.JSONRenderer() if log_format == "json" else escaped_console()
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
    trace = logging.getLogger(TASK_TRACE_LOGGER)
    trace.filters[:] = [f for f in trace.filters if not isinstance(f, HideTaskData)]
    if not task_results:
        trace.addFilter(HideTaskData())
    consumer = logging.getLogger(CONSUMER_LOGGER)
    consumer.filters[:] = [f for f in consumer.filters if not isinstance(f, HideMessageBodies)]
    consumer.addFilter(HideMessageBodies())
    structlog.configure(
        processors=[*SHARED, structlog.processors.format_exc_info, renderer],
        logger_factory=StderrLogger,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
