"""Bad answers are refused by `copier copy` with a message that says what is allowed."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

COPIER = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD"]


def copy_with(tmp_path: Path, *data: str) -> subprocess.CompletedProcess[str]:
    args = [*COPIER]
    for item in data:
        args += ["--data", item]
    return subprocess.run(
        [*args, str(ROOT), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("project_slug=Bad_Slug", "'Bad_Slug' is not a valid slug: use lowercase letters"),
        ("project_slug=2fast", "starting with a letter"),
        ("project_slug=trailing-", "not ending with a dash"),
        ("project_slug=double--dash", "single dashes"),
        ("package_name=my-package", "'my-package' is not a valid package name"),
        ("package_name=1st_service", "starting with a letter"),
        ("package_name=fastapi", "would shadow a keyword, a dependency or a module"),
        ("package_name=worker", "choose a more specific name (for example: worker_service)"),
        (f"package_name=a{'_b' * 25}", "The package name must be at most 50 characters"),
        ("author_email=nobody", "'nobody' is not an e-mail address"),
        ("author_email=a@b.io\nx", "is not an e-mail address"),
        ("python_version=3.10", "'3.10' is not in ['3.11', '3.12', '3.13']"),
        ("project_name= ", "The project name must not be empty"),
        # Copier would cast any text to a bool; the boolean questions are choices.
        ("use_beat=maybe", "Invalid choice for 'use_beat': 'maybe' is not in [True, False]"),
        ("use_flower=1", "1 is not a boolean: answer true or false"),
    ],
)
def test_bad_answer_is_refused_with_what_is_allowed(
    tmp_path: Path, answer: str, message: str
) -> None:
    result = copy_with(tmp_path, answer)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-3000:]
    assert not (tmp_path / "out").exists(), "a refused answer must write nothing"


def test_kubernetes_without_an_image_is_refused_with_what_is_allowed(tmp_path: Path) -> None:
    result = copy_with(tmp_path, "use_docker=false", "deploy=kubernetes")
    assert result.returncode != 0
    assert "answer use_docker=true, or deploy=none" in result.stderr, result.stderr[-3000:]
    assert not (tmp_path / "out").exists()
    assert "'swarm' is not in" in copy_with(tmp_path, "deploy=swarm").stderr


def test_good_explicit_answers_are_accepted(tmp_path: Path) -> None:
    result = copy_with(
        tmp_path, "project_slug=orders-api", "package_name=orders_api", "author_email=a@b.io"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "out" / "src" / "orders_api" / "jobs" / "charge.py").is_file()
    assert "known-first-party" not in (tmp_path / "out" / "pyproject.toml").read_text()
    assert '"orders_api", "durable_jobs"' in (tmp_path / "out" / "pyproject.toml").read_text()
