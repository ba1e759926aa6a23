"""The process commands of the Procfile, so tests run exactly what `make dev` runs."""

from __future__ import annotations

from pathlib import Path


def procfile_commands(project_dir: Path) -> dict[str, str]:
    commands = {}
    for line in (project_dir / "Procfile").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() and not name.startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


def procfile_argv(project_dir: Path, name: str) -> list[str]:
    # `exec` makes the shell become the process, so signals reach it directly.
    return ["sh", "-c", f"exec {procfile_commands(project_dir)[name]}"]
