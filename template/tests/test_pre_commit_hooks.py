"""The pre-commit hooks refuse what a half-finished `copier update` leaves behind."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[1]


def run_hooks(repo: Path) -> subprocess.CompletedProcess[str]:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    return subprocess.run(
        [str(pre_commit), "run", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    config = (PROJECT_DIR / ".pre-commit-config.yaml").read_text()
    # Only the update guards: the linters need the project's environment.
    guards = config.split("      - id: ruff\n")[0]
    (tmp_path / ".pre-commit-config.yaml").write_text(guards)
    (tmp_path / "clean.py").write_text("x = 1\n")
    return tmp_path


def test_a_clean_tree_passes(repo: Path) -> None:
    assert run_hooks(repo).returncode == 0


def test_conflict_markers_are_refused(repo: Path) -> None:
    (repo / "settings.py").write_text(
        "<<<<<<< before updating\nA = 1\n=======\nA = 2\n>>>>>>> after\n"
    )
    result = run_hooks(repo)
    assert result.returncode != 0
    assert "no merge conflict markers" in result.stdout


def test_rejected_hunks_are_refused(repo: Path) -> None:
    (repo / "settings.py.rej").write_text("@@ -1 +1 @@\n-A = 1\n+A = 2\n")
    result = run_hooks(repo)
    assert result.returncode != 0
    assert "copier update left a rejected hunk" in result.stdout
