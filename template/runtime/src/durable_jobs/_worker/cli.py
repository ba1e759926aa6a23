"""`python -m <package>.worker [options]`: Celery's own `worker` command on the service's
app, with its options (`--help` lists them).

The same as `celery --app <package>.worker.app worker [options]` without the `celery`
program around it: that program imports every command-line plugin installed (Flower's
web app, a REPL, an AMQP shell) before it reads its arguments, a good part of a
worker's start (docs/performance.md). `CLIContext` is Celery's own object for its
commands; `overrides.py` refuses a Celery minor this was not tested on.
"""

import sys

from celery import Celery


def run_worker(app: Celery, prog_name: str) -> None:
    # Imported here: the runtime's face exports this function to the API too, which
    # must not pay for Celery's command-line stack (click and its commands) at start.
    from celery.bin.base import CLIContext  # noqa: PLC0415
    from celery.bin.worker import worker  # noqa: PLC0415

    worker.main(
        args=sys.argv[1:],
        prog_name=prog_name,
        obj=CLIContext(app=app, no_color=False, workdir=None, quiet=False),
    )
