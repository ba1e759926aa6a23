"""The user guide builds with `mkdocs build --strict` (a broken link fails it), every
page is in the navigation, and the options reference covers every question."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

MKDOCS = Path(sys.executable).parent / "mkdocs"


def build(root: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(MKDOCS),
            "build",
            "--strict",
            "--config-file",
            str(root / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(MKDOCS.parent)},
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    result = build(ROOT, site)
    assert result.returncode == 0, result.stderr[-5000:]
    return site


def nav_pages(nav: list[object]) -> set[str]:
    pages: set[str] = set()
    for entry in nav:
        for value in entry.values() if isinstance(entry, dict) else [entry]:
            pages |= nav_pages(value) if isinstance(value, list) else {str(value)}
    return pages


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.Loader)
    assert nav_pages(config["nav"]) == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_options_reference_lists_every_question(site: Path) -> None:
    questions = [
        name
        for name in yaml.safe_load((ROOT / "copier.yml").read_text())
        if not name.startswith("_")
    ]
    page = (site / "options" / "index.html").read_text()
    missing = [name for name in questions if f"<code>{name}</code>" not in page]
    assert missing == []
    assert "is not a valid slug" in page


def test_readme_points_into_the_guide() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/index.md" in readme


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    for name in ("mkdocs.yml", "copier.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    page = tmp_path / "docs" / "pitfalls.md"
    page.write_text(page.read_text() + "\nSee [nowhere](no-such-page.md).\n")
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "no-such-page.md" in result.stderr
