"""Each option renders exactly its own files, processes and commands, and its secret
stays out of the answers file."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import DEFAULT_PACKAGE, recorded_answers, render

PKG = f"src/{DEFAULT_PACKAGE}"
OFF: dict[str, Any] = {
    "use_beat": False,
    "use_flower": False,
    "use_priority_queues": False,
    "use_docker": False,
    "deploy": "none",
    "broker": "redis",
    "database": "none",
}
K8S = "deploy/kubernetes"


@dataclass(frozen=True)
class Option:
    """What turning one option on (from `base`, everything else off) adds."""

    on: dict[str, Any]
    files: list[str]
    processes: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    base: dict[str, Any] = field(default_factory=dict)


OPTIONS = {
    "use_beat": Option(
        {"use_beat": True},
        [f"{PKG}/worker/beat.py"],
        ["beat"],
        ["beat"],
    ),
    "use_flower": Option(
        {"use_flower": True},
        [f"{PKG}/flower.py"],
        ["flower"],
        ["flower"],
    ),
    "use_priority_queues": Option(
        {"use_priority_queues": True},
        [],
        ["worker_low"],
        ["worker-low"],
    ),
    "use_docker": Option({"use_docker": True}, ["Dockerfile", ".dockerignore", "compose.yaml"]),
    "database": Option(
        {"database": "postgresql"},
        [
            "alembic.ini",
            *(
                f"{PKG}/{name}"
                for name in (
                    "db/__init__.py",
                    "db/models.py",
                    "db/task_sessions.py",
                    "db/migrate.py",
                    "db/migrations/__init__.py",
                    "db/migrations/env.py",
                    "db/migrations/script.py.mako",
                    "db/migrations/versions/__init__.py",
                    "db/migrations/versions/initial_schema_0001.py",
                    "relay.py",
                )
            ),
        ],
        ["relay"],
        ["migrate", "migration", "relay"],
    ),
    "deploy": Option(
        {"deploy": "kubernetes"},
        [
            f"{K8S}/{name}"
            for name in (
                "kustomization.yaml",
                "config.env",
                "api.yaml",
                "worker.yaml",
                "worker-autoscaling.yaml",
                "disruption-budgets.yaml",
                "network-policies.yaml",
            )
        ],
        base={"use_docker": True},
    ),
}


def processes(project: Path) -> set[str]:
    return {line.split(":")[0] for line in (project / "Procfile").read_text().splitlines()}


def make_targets(project: Path) -> set[str]:
    return set(re.findall(r"^([a-z-]+):", (project / "Makefile").read_text(), re.M))


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("bare") / "p", **OFF)


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_turning_an_option_on_adds_exactly_its_files_and_processes(
    tmp_path: Path, name: str
) -> None:
    option = OPTIONS[name]
    bare = render(tmp_path / "bare", **{**OFF, **option.base})
    project = render(tmp_path / "p", **{**OFF, **option.base, **option.on})
    files, added_processes, added_targets = option.files, option.processes, option.targets

    def tree(root: Path) -> set[str]:
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

    assert tree(project) - tree(bare) == set(files)
    assert processes(project) - processes(bare) == set(added_processes)
    assert make_targets(project) - make_targets(bare) == set(added_targets)
    readme = (project / "README.md").read_text()
    assert all(f"`{process}`" in readme for process in added_processes)
    assert all(
        f"`{process}`" not in (bare / "README.md").read_text() for process in added_processes
    )


def test_bare_project_runs_only_api_and_one_worker(bare: Path) -> None:
    assert processes(bare) == {"api", "worker"}
    assert "WORKER_QUEUES=" not in (bare / "Procfile").read_text()
    assert "priority_queues" not in (bare / f"{PKG}/settings.py").read_text()


def test_priority_queues_route_charges_high_and_reports_low(tmp_path: Path) -> None:
    project = render(tmp_path / "p", use_priority_queues=True)
    procfile = (project / "Procfile").read_text()
    assert "WORKER_QUEUES=high,default" in procfile
    assert "WORKER_QUEUES=low" in procfile
    assert "priority_queues: bool = True" in (project / f"{PKG}/settings.py").read_text()


def test_rabbitmq_broker_is_the_default_broker_url(tmp_path: Path) -> None:
    project = render(tmp_path / "p", broker="rabbitmq")
    assert (
        "BROKER_URL=amqp://guest:guest@127.0.0.1:5672//" in (project / ".env.example").read_text()
    )
    assert '"amqp://guest:guest@127.0.0.1:5672//"' in (project / f"{PKG}/settings.py").read_text()
    assert "RabbitMQ" in (project / "README.md").read_text()


def test_flower_password_is_generated_into_env_and_never_into_the_answers(tmp_path: Path) -> None:
    first = render(tmp_path / "a", use_flower=True)
    second = render(tmp_path / "b", use_flower=True)
    passwords = [
        re.search(r"^FLOWER_PASSWORD=([0-9a-f]{64})$", (p / ".env.secrets").read_text(), re.M)
        for p in (first, second)
    ]
    assert all(passwords)
    assert passwords[0].group(1) != passwords[1].group(1)  # type: ignore[union-attr]
    answers = (first / ".copier-answers.yml").read_text()
    assert passwords[0].group(1) not in answers  # type: ignore[union-attr]
    assert "password" not in answers.lower()
    assert ".env.secrets" in (first / ".gitignore").read_text().splitlines()


def test_database_password_is_generated_into_env_secrets_for_the_containers(
    tmp_path: Path,
) -> None:
    project = render(tmp_path / "p", database="postgresql", use_flower=False)
    secrets = (project / ".env.secrets").read_text()
    server = re.search(r"^POSTGRES_PASSWORD=([0-9a-f]{32})$", secrets, re.M)
    client = re.search(r"^PGPASSWORD=([0-9a-f]{32})$", secrets, re.M)
    assert server
    assert client
    assert server.group(1) == client.group(1)
    assert server.group(1) not in (project / ".copier-answers.yml").read_text()
    # The database with SQLite's leftovers gone: no users.py, no DATABASE_PATH.
    assert not (project / f"{PKG}/api/users.py").exists()
    assert "DATABASE_PATH" not in (project / ".env.example").read_text()
    assert "DATABASE_URL=postgresql+psycopg://" in (project / ".env.example").read_text()


def test_answers_file_holds_no_secret_for_any_option(tmp_path: Path) -> None:
    project = render(
        tmp_path / "p", broker="rabbitmq", use_flower=True, use_beat=True, database="postgresql"
    )
    answers = recorded_answers(project)
    assert not [key for key in answers if re.search("password|secret|token", key)]
