"""Run a command with the service's `.env` files in its environment (`make dev`, `make
api`, ...):

    python -m durable_jobs.testing.with_dotenv COMMAND...

The services read `.env` themselves (pydantic-settings), but the Procfile's commands
read some variables in the shell (`--port ${API_PORT:-8000}`), where `.env` is
unknown; honcho's own loading would put `.env` above the real environment. This puts
it below, as the settings do (`environment.with_dotenv`), then becomes COMMAND.
"""

import os
import sys
from pathlib import Path

from .environment import with_dotenv

if __name__ == "__main__":
    command = sys.argv[1:]
    if not command:
        sys.exit("usage: python -m durable_jobs.testing.with_dotenv COMMAND...")
    # Becomes the command (no shell): signals and the exit status are its own.
    os.execvpe(command[0], command, with_dotenv(os.environ, Path.cwd()))  # noqa: S606
