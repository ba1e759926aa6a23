"""What a half-finished `copier update` leaves behind: `.rej` files (hunks it could not
apply) and conflict markers. `make lint` runs this over the whole tree, so neither can
pass unnoticed, whatever is staged, ignored or new.

    python -m durable_jobs.testing.update_leftovers [DIRECTORY]
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

MARKER = re.compile(rb"^(<<<<<<< |>>>>>>> )", re.M)
# Environments, caches and data: neither Copier's output nor the user's source.
SKIPPED = {".git", ".venv", "node_modules", "var", "__pycache__", ".mypy_cache", ".ruff_cache"}
SKIPPED |= {".pytest_cache", ".import_linter_cache"}


def files(root: Path) -> Iterator[Path]:
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = [name for name in subdirectories if name not in SKIPPED]
        for name in names:
            yield Path(directory, name)


def leftovers(root: Path) -> list[str]:
    found = []
    for path in files(root):
        if path.suffix == ".rej":
            found.append(f"{path.relative_to(root)}: a hunk copier update could not apply")
        elif path.stat().st_size < 2_000_000 and MARKER.search(path.read_bytes()):
            found.append(f"{path.relative_to(root)}: conflict markers")
    return sorted(found)


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = leftovers(root)
    for line in found:
        print(line)
    if found:
        print(
            "An update is unfinished: merge each .rej hunk by hand and delete the file, "
            "resolve each conflict, then commit (docs: the template's docs/updating.md).",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
