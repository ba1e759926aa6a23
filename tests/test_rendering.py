"""What `copier copy` writes: the documented tree, the answers, no template debris."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import DEFAULT_PACKAGE, ROOT, recorded_answers, render
from releases import NEXT_RELEASE

EXPECTED_FILES = [
    ".copier-answers.yml",
    ".env.example",
    ".gitignore",
    ".python-version",
    "Makefile",
    "Procfile",
    "README.md",
    "pyproject.toml",
    "Dockerfile",
    "compose.yaml",
    ".github/workflows/ci.yml",
    "src/{pkg}/settings.py",
    "src/{pkg}/probes.py",
    "src/{pkg}/jobs/charge.py",
    "src/{pkg}/jobs/welcome_email.py",
    "src/{pkg}/jobs/report.py",
    "src/{pkg}/jobs/cleanup.py",
    "src/{pkg}/api/app.py",
    "src/{pkg}/api/routes/charges.py",
    "src/{pkg}/api/routes/signup.py",
    "src/{pkg}/worker/app.py",
    "runtime/pyproject.toml",
    "runtime/README.md",
    "runtime/CHANGELOG.md",
    "runtime/src/durable_jobs/__init__.py",
    "runtime/src/durable_jobs/py.typed",
    "runtime/src/durable_jobs/web.py",
    "runtime/src/durable_jobs/_core/enqueue.py",
    "runtime/src/durable_jobs/_core/idempotency.py",
    "runtime/src/durable_jobs/_core/records.py",
    "runtime/src/durable_jobs/_core/status.py",
    "runtime/src/durable_jobs/_core/overrides.py",
    "runtime/src/durable_jobs/_worker/install.py",
    "runtime/src/durable_jobs/_worker/reliability.py",
    "runtime/src/durable_jobs/_web/job_routes.py",
    "runtime/src/durable_jobs/testing/process_supervisor.py",
    "runtime/tests/conftest.py",
    "runtime/tests/integration/test_service_round_trip.py",
    "tests/conftest.py",
    "tests/api/test_charges.py",
    "tests/jobs/test_charge.py",
    "tests/resilience/test_worker_sigkill.py",
]
# Jinja's delimiters as the template writes them; plain `}}` is a nested Python dict.
JINJA_DEBRIS = re.compile(r"\{\{\s|\s\}\}|\{%|%\}|\{#\s")
# Other tools' own templates, kept on purpose: GitHub Actions expressions in the
# workflow, Prometheus' label templates in the alert rules.
OTHER_TEMPLATES = re.compile(r"\$\{\{ [^}]+ \}\}|\{\{ \$labels\.[a-z_]+ \}\}")


def text_files(project: Path) -> list[Path]:
    return [
        path
        for path in project.rglob("*")
        if path.is_file() and ".venv" not in path.parts and ".git" not in path.parts
    ]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("render") / "acme-jobs")


def test_default_answers_render_the_documented_tree(project: Path) -> None:
    missing = [
        name.format(pkg=DEFAULT_PACKAGE)
        for name in EXPECTED_FILES
        if not (project / name.format(pkg=DEFAULT_PACKAGE)).is_file()
    ]
    assert missing == []


def test_no_template_syntax_or_suffix_is_left_anywhere(project: Path) -> None:
    leftovers = [
        str(path.relative_to(project))
        for path in text_files(project)
        if path.suffix == ".jinja" or JINJA_DEBRIS.search(OTHER_TEMPLATES.sub("", path.read_text()))
    ]
    assert leftovers == []


def test_the_runtime_is_plain_python_that_names_no_project(tmp_path: Path) -> None:
    """The runtime folder is copied, never rendered: the same bytes in every project,
    whatever the answers, so `copier update` replaces it without a merge."""
    source = ROOT / "template/runtime"
    tracked = subprocess.run(
        ["git", "ls-files", "template/runtime"], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert [name for name in tracked if "{" in name or name.endswith(".jinja")] == []
    odd = render(
        tmp_path / "odd", project_name="Zebra Billing", broker="rabbitmq", database="postgresql"
    )
    for name in tracked:
        text = (ROOT / name).read_bytes()
        assert b"acme" not in text.lower(), name
        assert b"zebra" not in text.lower(), name
        assert (odd / "runtime" / (ROOT / name).relative_to(source)).read_bytes() == text, name


def test_the_runtime_is_versioned_as_the_coming_release() -> None:
    runtime = ROOT / "template/runtime"
    declared = tomllib.loads((runtime / "pyproject.toml").read_text())["project"]["version"]
    face = (runtime / "src/durable_jobs/__init__.py").read_text()
    assert declared == NEXT_RELEASE
    assert f'__version__ = "{NEXT_RELEASE}"' in face
    assert f"## {NEXT_RELEASE}" in (runtime / "CHANGELOG.md").read_text()


def test_rendered_files_look_hand_written(project: Path) -> None:
    problems = []
    for path in text_files(project):
        text = path.read_text()
        name = str(path.relative_to(project))
        if text and not text.endswith("\n"):
            problems.append(f"{name}: no final newline")
        if "\n\n\n\n" in text:
            problems.append(f"{name}: blank-line debris")
        if any(line != line.rstrip() for line in text.splitlines()):
            problems.append(f"{name}: trailing whitespace")
    assert problems == []


def test_answers_file_records_every_answer_for_updates(project: Path) -> None:
    answers = recorded_answers(project)
    questions = {
        key
        for key, spec in yaml.safe_load((ROOT / "copier.yml").read_text()).items()
        if not key.startswith("_") and spec.get("when") is not False
    }
    assert questions <= set(answers)
    assert answers["_src_path"]


def test_slug_and_package_are_derived_from_the_project_name(tmp_path: Path) -> None:
    project = render(tmp_path / "out", project_name="Billing Service 2")
    answers = recorded_answers(project)
    assert (answers["project_slug"], answers["package_name"]) == (
        "billing-service-2",
        "billing_service_2",
    )
    assert (project / "src" / "billing_service_2" / "worker" / "app.py").is_file()
    assert tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"] == (
        "billing-service-2"
    )


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_python_version_sets_the_floor_and_the_tool_targets(tmp_path: Path, version: str) -> None:
    project = render(tmp_path / "out", python_version=version)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{version.replace('.', '')}"
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert (project / ".python-version").read_text().strip() == version


def test_quotes_and_unicode_in_free_text_answers_stay_valid_code(tmp_path: Path) -> None:
    name = 'Zoë\'s "Quoted" Jobs'
    description = 'Jobs with "quotes", back\\slashes and ünïcödé'
    project = render(
        tmp_path / "out",
        project_name=name,
        project_slug="zoes-jobs",
        description=description,
        author_name='O\'Brien "Ops"',
    )
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == 'O\'Brien "Ops"'
    namespace: dict[str, object] = {}
    source = (project / "src" / "zoes_jobs" / "api" / "app.py").read_text()
    constants = "\n".join(
        line for line in source.splitlines() if line.startswith(("TITLE", "DESCR"))
    )
    exec(compile(constants, "app.py", "exec"), namespace)  # only the two string constants
    assert (namespace["TITLE"], namespace["DESCRIPTION"]) == (name, description)


def test_a_description_cannot_escape_its_docstring(tmp_path: Path) -> None:
    # Importing the package would run whatever follows a closed docstring.
    description = 'x"""; import os; os.system("touch pwned"); """ back\\slash \\n ünïcode'
    project = render(tmp_path / "out", description=description)
    init = project / "src" / DEFAULT_PACKAGE / "__init__.py"
    module = ast.parse(init.read_text())
    assert len(module.body) == 1
    assert ast.get_docstring(module, clean=False) == f"{description}."
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(init)],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout
