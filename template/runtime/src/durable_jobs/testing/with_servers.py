"""Run a command with the servers a service needs (`make dev`, `make test`):

    python -m durable_jobs.testing.with_servers SETTINGS [--for-tests] COMMAND...

SETTINGS names the service's settings class (`package.settings:Settings`); which
servers it needs, and how they are found or started, is `servers.py`. The first line
printed says which servers the command got.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from importlib import import_module

from .._core.settings import RuntimeSettings
from .server_process import ServerUnavailable
from .servers import needs, provided


def settings_class(path: str) -> type[RuntimeSettings]:
    """`package.module:Class`, the service's settings."""
    module, _, name = path.partition(":")
    found: type[RuntimeSettings] = getattr(import_module(module), name)
    return found


def run_with_servers(settings: RuntimeSettings, command: list[str], for_tests: bool) -> int:
    """Run `command` with the servers it needs; stop the private ones when it ends."""
    try:
        with provided(needs(settings, for_tests)) as (variables, line):
            print(line, flush=True)
            child = subprocess.Popen(command, env={**os.environ, **variables})
            # Ctrl-C reaches the command through the terminal; a SIGTERM is passed on.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
            return child.wait()
    except ServerUnavailable as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())  # the service's package, from the project's folder
    settings, *arguments = sys.argv[1:]
    for_tests = arguments[:1] == ["--for-tests"]
    command = arguments[1:] if for_tests else arguments
    sys.exit(run_with_servers(settings_class(settings)(), command, for_tests))
