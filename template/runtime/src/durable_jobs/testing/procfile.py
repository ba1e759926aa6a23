"""The process commands of the Procfile, so tests run exactly what `make dev` runs."""

from __future__ import annotations

import re
from pathlib import Path

ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def procfile_commands(project_dir: Path) -> dict[str, str]:
    commands = {}
    for line in (project_dir / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def procfile_argv(project_dir: Path, name: str) -> list[str]:
    """The command as `sh -c` argv. `exec` makes the shell become the process, so
    signals reach it directly; it goes after leading `NAME=value` assignments."""
    words = procfile_commands(project_dir)[name].split()
    first = next(i for i, word in enumerate(words) if not ASSIGNMENT.match(word))
    return ["sh", "-c", " ".join([*words[:first], "exec", *words[first:]])]
