"""Run the Procfile's processes, all or some, as `make dev`, `make api`, ... do:

    python -m durable_jobs.testing.run_procfile [PROCESS...]

- `.env` (and `.env.secrets`) reach the Procfile's shell, which reads the ports
  (`--port ${API_PORT:-8000}`), by the settings' rules (`environment.with_dotenv`):
  the environment wins. honcho's own loading would put `.env` above it, so honcho gets
  none.
- The ports the processes will listen on are checked first: a busy one stops the run
  with one line naming the port, who holds it and the variable to change, before
  anything starts.
- Ctrl-C stops every process and exits 0 (honcho's status for it is 130).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

from .environment import with_dotenv
from .ports import busy_port_message, planned_ports
from .procfile import procfile_commands

STOPPED_BY_CTRL_C = (130, -signal.SIGINT)


def run(processes: list[str], directory: Path) -> int:
    env = with_dotenv(os.environ, directory)
    commands = procfile_commands(directory)
    unknown = [name for name in processes if name not in commands]
    if unknown:
        print(f"not in the Procfile: {', '.join(unknown)}", file=sys.stderr)
        return 2
    selected = {name: commands[name] for name in processes or commands}
    busy = busy_port_message(planned_ports(selected, env))
    if busy:
        print(busy, file=sys.stderr)
        return 1
    child = subprocess.Popen(["honcho", "start", "--env", "/dev/null", *processes], env=env)
    interrupted = False

    def on_interrupt(*_: object) -> None:
        # The terminal sends Ctrl-C to honcho too: it stops its processes itself.
        nonlocal interrupted
        interrupted = True

    signal.signal(signal.SIGINT, on_interrupt)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    code = child.wait()
    if interrupted and (code in STOPPED_BY_CTRL_C or code == 0):
        print("Stopped (Ctrl-C): every process ended.", flush=True)
        return 0
    return code


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], Path.cwd()))
