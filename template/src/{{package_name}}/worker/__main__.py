"""`python -m <package>.worker [options]`: a worker on this service's app.

Celery's own `worker` command, with its options (`--help` lists them), the same as
`celery --app <package>.worker.app worker [options]` without the `celery` program
around it: that program imports every command-line plugin installed (Flower's web
app, a REPL, an AMQP shell) before it reads its arguments, most of a second of a
worker's start (docs/performance.md).
"""

import sys

from celery.bin.base import CLIContext
from celery.bin.worker import worker

from .app import app


def main() -> None:
    worker.main(
        args=sys.argv[1:],
        prog_name=f"python -m {__package__}",
        obj=CLIContext(app=app, no_color=False, workdir=None, quiet=False),
    )


if __name__ == "__main__":
    main()
