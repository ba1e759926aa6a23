"""What only a rendered project can show: `copier copy` of the template it came from,
and its own test suite's time (`run.py --project DIR`)."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

# `uv run`, not `make test`: the latter's exact sync would uninstall the bench group.
SUITE = ["uv", "run", "--frozen", "pytest", "-q", "--ignore=tests/resilience"]


def timed(argv: list[str], cwd: Path) -> float | None:
    """Seconds `argv` took in `cwd`; None when it failed."""
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    return time.perf_counter() - started if result.returncode == 0 else None


def copier_copy_time(project: Path) -> float | None:
    """`copier copy` of the template `project` came from, when that is a local path."""
    answers = (project / ".copier-answers.yml").read_text()
    sources = [line for line in answers.splitlines() if line.startswith("_src_path:")]
    source = sources[0].split(":", 1)[1].strip() if sources else ""
    if not Path(source).is_dir():
        return None
    with tempfile.TemporaryDirectory() as target:
        copy = ["uvx", "copier", "copy", "--defaults", "--quiet", "--vcs-ref", "HEAD"]
        return timed([*copy, source, target], project)


def suite_time(project: Path) -> float | None:
    """The project's unit and integration tests, end to end."""
    return timed(SUITE, project)
