"""A command run in the terminal's place (`make dev`, `make test` through the runtime's
wrappers): Ctrl-C reaches it from the terminal by itself, a SIGTERM is passed on."""

import signal
import subprocess
from collections.abc import Mapping


def run_in_foreground(command: list[str], env: Mapping[str, str]) -> tuple[int, bool]:
    """The command's exit status, and whether Ctrl-C was pressed while it ran (noted
    here, not acted on: the command got it too and stops by itself)."""
    child = subprocess.Popen(command, env=dict(env))
    interrupted = False

    def on_interrupt(*_: object) -> None:
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    return child.wait(), interrupted
