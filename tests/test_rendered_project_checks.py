"""The rendered project passes its own checks: ruff, mypy, import-linter and pytest."""

import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import DEFAULT_PACKAGE, SERVER_VARIABLES, project_env, render, run
from durable_jobs.testing.process_supervisor import free_port
from network_namespace import empty_network


def passes(result: subprocess.CompletedProcess[str]) -> None:
    """A pytest run whose last line counts passes and neither failures nor skips."""
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "failed" not in summary
    assert "skipped" not in summary


EXAMPLE_JOBS = ("charge", "cleanup", "report", "welcome_email")
EXAMPLE_ROUTES = ("charges", "reports", "signup")
EXAMPLE_INTEGRATIONS = ("mailer", "payments", "storage")


def test_rendered_project_passes_its_own_lint(default_project: Path) -> None:
    result = run(["make", "lint"], default_project)
    assert "Contracts: 6 kept, 0 broken." in result.stdout


def test_make_install_leaves_the_secrets_readable_by_their_owner_only(
    default_project: Path,
) -> None:
    for name in (".env", ".env.secrets"):
        assert stat.S_IMODE((default_project / name).stat().st_mode) == 0o600, name


def test_the_runtimes_suite_is_collected_with_only_the_projects_extras(
    default_project: Path, redis_url: str
) -> None:
    """`make test-runtime` in a project without a database or RabbitMQ (no SQLAlchemy,
    no aio-pika installed): every test module imports or is left out, none errors."""
    result = run(
        ["make", "test-runtime", "ARGS=--collect-only -q"], default_project, REDIS_URL=redis_url
    )
    summary = result.stdout.strip().splitlines()[-1]
    assert " collected" in summary, summary
    assert "error" not in summary, result.stdout[-3000:]


@pytest.mark.xdist_group("processes")
def test_rendered_make_test_starts_a_private_redis_where_none_runs_and_passes(
    default_project: Path,
) -> None:
    with empty_network() as inside:
        result = run([*inside, "make", "test"], default_project, unset=SERVER_VARIABLES)
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("Servers: a private Redis at redis://127.0.0.1:"), first_line
    passes(result)


@pytest.mark.xdist_group("processes")
def test_rendered_integration_tests_fail_loudly_without_redis(default_project: Path) -> None:
    result = subprocess.run(
        ["uv", "run", "--frozen", "pytest", "-m", "integration", "-x", "-q"],
        cwd=default_project,
        env=project_env(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stdout[-3000:]
    assert "which does not answer: start it, or remove REDIS_URL" in result.stdout
    assert "skipped" not in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_project_for_a_newer_python_passes_ruff_and_mypy(
    default_project: Path, tmp_path: Path, version: str
) -> None:
    # Only Python 3.11 can be assumed here, so the newer targets are checked
    # statically with the tools of the 3.11 environment.
    project = render(tmp_path / "newer", python_version=version)
    tools = default_project / ".venv" / "bin"
    run([str(tools / "ruff"), "check", "."], project)
    run([str(tools / "ruff"), "format", "--check", "."], project)
    run([str(tools / "mypy"), "src", "tests"], project)


def test_import_contract_refuses_a_worker_that_imports_fastapi(
    default_project: Path, tmp_path: Path
) -> None:
    project = tmp_path / "broken"
    shutil.copytree(default_project, project, ignore=shutil.ignore_patterns(".venv", "var"))
    worker_app = project / "src" / DEFAULT_PACKAGE / "worker" / "app.py"
    worker_app.write_text("import fastapi  # noqa: F401\n" + worker_app.read_text())
    result = subprocess.run(
        [str(default_project / ".venv" / "bin" / "lint-imports"), "--no-cache"],
        cwd=project,
        env=project_env(PYTHONPATH=str(project / "src")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "The worker never imports the web stack BROKEN" in result.stdout


COMBINATIONS = [
    {
        "broker": broker,
        "database": database,
        "use_beat": beat,
        "use_flower": flower,
        "use_priority_queues": priority,
    }
    for broker in ("redis", "rabbitmq")
    for database in ("none", "postgresql")
    for beat in (True, False)
    for flower in (True, False)
    for priority in (True, False)
]


# The longest names the validators accept, quotes, backslashes, unicode and a docstring
# terminator: every other combination is rendered with them, so no accepted answer can
# break the project's own lint unnoticed.
WORST_CASE_ANSWERS = {
    "project_name": 'Zoë\'s "Quoted" Jobs\\ That Go On And On For Ever And Ever Long' + "!" * 19,
    "project_slug": "a-very-long-project-name-that-goes-on-and-on-forev",
    "description": 'x"""; import os; os.system("touch pwned"); """ back\\slash ünïcode\\',
    "author_name": 'O\'Brien "Ops" \\ Ünïcode',
}


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.mark.parametrize(
    "answers",
    COMBINATIONS,
    ids=["-".join(str(v) for v in combination.values()) for combination in COMBINATIONS],
)
def test_every_combination_passes_ruff_mypy_and_the_import_contracts(
    rabbitmq_project: Path, tmp_path: Path, mypy_cache: Path, answers: dict[str, object]
) -> None:
    # The all-options project's environment has every optional dependency installed.
    worst = COMBINATIONS.index(answers) % 2 == 1
    project = render(tmp_path / "combo", **answers, **(WORST_CASE_ANSWERS if worst else {}))
    tools = rabbitmq_project / ".venv" / "bin"
    run([str(tools / "ruff"), "check", "."], project)
    run([str(tools / "ruff"), "format", "--check", "."], project)
    run([str(tools / "mypy"), "--cache-dir", str(mypy_cache), "src", "tests"], project)
    # Its unit tests include its import contracts (tests/test_import_contracts.py).
    unit = run(
        [str(tools / "pytest"), "-q", "-p", "no:cacheprovider", "-m", "not integration"],
        project,
        PYTHONPATH=str(project / "src"),
    )
    assert " passed" in unit.stdout.strip().splitlines()[-1]


@pytest.mark.xdist_group("processes")
def test_rabbitmq_project_with_every_option_passes_its_own_lint_and_tests(
    rabbitmq_project: Path,
) -> None:
    run(["make", "lint"], rabbitmq_project)
    # On a machine where none of its servers runs: private Redis, RabbitMQ, PostgreSQL.
    with empty_network() as inside:
        result = run([*inside, "make", "test"], rabbitmq_project, unset=SERVER_VARIABLES)
    first_line = result.stdout.splitlines()[0]
    for server in ("Redis", "RabbitMQ", "PostgreSQL"):
        assert f"a private {server} at" in first_line, first_line
    passes(result)


@pytest.mark.xdist_group("processes")
def test_postgresql_project_on_redis_passes_its_own_lint_and_tests(
    postgres_project: Path, redis_url: str
) -> None:
    run(["make", "lint"], postgres_project)
    passes(run(["make", "test"], postgres_project, REDIS_URL=redis_url))


# Every example of a default render (jobs, routes, users.py, the integrations they use),
# and the tests named after them: what a real service deletes first.
EXAMPLES = [
    *(f"src/{DEFAULT_PACKAGE}/jobs/{name}.py" for name in EXAMPLE_JOBS),
    *(f"src/{DEFAULT_PACKAGE}/api/routes/{name}.py" for name in ("charges", "reports", "signup")),
    f"src/{DEFAULT_PACKAGE}/api/users.py",
    *(
        f"src/{DEFAULT_PACKAGE}/integrations/{name}.py"
        for name in ("mailer", "payments", "storage")
    ),
    "tests/api",
    "tests/jobs",
    "tests/integrations",
]


@pytest.mark.xdist_group("processes")
def test_deleting_every_example_leaves_lint_tests_resilience_and_bench_green(
    tmp_path: Path, redis_url: str
) -> None:
    project = render(tmp_path / "acme-jobs")
    for example in EXAMPLES:
        path = project / example
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    assert not list((project / f"src/{DEFAULT_PACKAGE}/jobs").glob("[!_]*.py"))
    run(["make", "lint"], project)
    passes(run(["make", "test"], project, REDIS_URL=redis_url))
    resilience = run(["make", "test-resilience"], project, REDIS_URL=redis_url)
    assert "completed 30, duplicated 0, lost 0" in resilience.stdout
    # Its machinery, not its figures (a loaded CI machine misses targets): --report-only.
    quick = "--quick --duration 1 --http-rounds 1 --rounds 1 --jobs 100 --report-only"
    result = run(["make", "bench", f"ARGS={quick}"], project, timeout=900, REDIS_URL=redis_url)
    assert "enqueue vs naive throughput" in result.stdout, result.stdout[-3000:]
    assert re.search(r"^bench: \d+ target\(s\) met", result.stdout, re.M), result.stdout[-3000:]
    assert re.search(r"(PASS|MISS)$", result.stdout, re.M)
