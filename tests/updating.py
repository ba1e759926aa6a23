"""Helpers of the update tests: a template clone with its releases tagged, projects
copied from a release and committed, updates, and what an update left unresolved."""

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from booting import ROOT
from copier import run_copy, run_update
from releases import NEXT_RELEASE, RELEASES

CONFLICT = re.compile(r"^(<<<<<<< |>>>>>>> )", re.M)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@localhost", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def clone_with_releases(destination: Path) -> Path:
    """A clone of this repository with its releases tagged and, on top, the working
    tree as it is now, tagged as the next release (so its migrations apply)."""
    git(ROOT, "clone", "-q", str(ROOT), str(destination))
    clone = destination
    for version, commit in RELEASES.items():
        git(clone, "tag", "-f", version, commit)
    for entry in clone.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(
        ROOT,
        clone,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".git", ".venv", "demo-service", "__pycache__"),
    )
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--allow-empty", "-m", "working tree")
    git(clone, "tag", NEXT_RELEASE)
    return clone


def git_status(cwd: Path) -> str:
    return subprocess.run(
        ["git", "status", "--porcelain"], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def copy(template: Path, destination: Path, ref: str, **answers: Any) -> Path:
    run_copy(str(template), destination, vcs_ref=ref, data=answers, defaults=True, quiet=True)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "copied")
    return destination


def update(project: Path, trust: bool = False, **answers: Any) -> None:
    """`copier update --defaults`; `trust` as `--trust`, which crossing a migration needs."""
    run_update(
        project,
        data=answers,
        defaults=True,
        overwrite=True,
        vcs_ref="HEAD",
        quiet=True,
        unsafe=trust,
    )


def leftovers(project: Path) -> list[str]:
    files = [p for p in project.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [
        str(p.relative_to(project))
        for p in files
        if p.suffix == ".rej" or CONFLICT.search(p.read_text(errors="replace"))
    ]
