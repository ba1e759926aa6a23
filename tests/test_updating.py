"""`copier update` from every release: conflict-free, equal to a fresh copy when nothing
was edited, and keeping the user's work when something was."""

import filecmp
import re
import subprocess
from pathlib import Path

import pytest
from conftest import DEFAULT_PACKAGE, project_env, run
from copier import run_update
from copier.errors import UnsafeTemplateError
from releases import NEXT_RELEASE, RELEASES
from test_options import OFF, OPTIONS
from updating import copy, git, git_status, leftovers, update

PKG = f"src/{DEFAULT_PACKAGE}"
# Differ by design: a generated secret, what git adds, and .env, which Copier creates
# once and never rewrites (a 0.2.0 copy keeps the .env it was given).
IGNORED = {".env", ".env.secrets", ".git"}


def differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(compared: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"{prefix}{name}" for name in compared.left_only + compared.right_only)
        found.extend(f"{prefix}{name}" for name in compared.diff_files)
        for name, sub in compared.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right, ignore=list(IGNORED)), "")
    return found


@pytest.mark.parametrize("release", list(RELEASES))
def test_unmodified_project_updates_cleanly_to_a_fresh_copy(
    template: Path, tmp_path: Path, release: str
) -> None:
    project = copy(template, tmp_path / "project", release)
    update(project, trust=True)
    fresh = copy(template, tmp_path / "fresh", "HEAD")
    assert leftovers(project) == []
    assert differences(project, fresh) == []


RUNTIME_ENQUEUE = "runtime/src/durable_jobs/_core/enqueue.py"
INVOICE_JOB = '''"""A job of our own."""

from durable_jobs import JobSpec, JobTask, Payload, job
from pydantic import Field


class Invoice(Payload):
    order_id: int = Field(gt=0)


INVOICE = JobSpec("billing.invoice", Invoice, 10, 15, max_retries=3, retry_backoff_max=60)


@job(INVOICE)
def send_invoice(task: JobTask, payload: Invoice) -> dict[str, int]:
    return {"invoiced": payload.order_id}
'''
INVOICE_ROUTE = '''"""A route of our own, triggering our job."""

from typing import Annotated

from durable_jobs.web import JobAccepted, JobsDep, accepted
from fastapi import APIRouter, Path, Response

from ...jobs.invoice import Invoice, send_invoice

router = APIRouter(tags=["invoices"])


@router.post("/invoices/{order_id}", status_code=202)
async def create_invoice(
    order_id: Annotated[int, Path(gt=0)], response: Response, jobs: JobsDep
) -> JobAccepted:
    return accepted(await jobs.enqueue(send_invoice, Invoice(order_id=order_id)), response)
'''
REMINDER_JOB = (
    INVOICE_JOB.replace("Invoice", "Reminder")
    .replace("invoice", "reminder")
    .replace("INVOICE", "REMINDER")
)


def add_jobs_the_documented_way(project: Path) -> list[Path]:
    """Two jobs and a route, each a new module, as the README says: no file edited."""
    added = [
        project / PKG / "jobs/invoice.py",
        project / PKG / "jobs/reminder.py",
        project / PKG / "api/routes/invoices.py",
    ]
    for path, text in zip(added, (INVOICE_JOB, REMINDER_JOB, INVOICE_ROUTE), strict=True):
        path.write_text(text)
    return added


@pytest.fixture(scope="module")
def runtime_only_release(template: Path) -> str:
    """A release after NEXT_RELEASE that changes nothing but the runtime package."""
    runtime = template / "template" / RUNTIME_ENQUEUE
    runtime.write_text(runtime.read_text() + "\n\n# A runtime-only change.\n")
    git(template, "commit", "-q", "-am", "a runtime-only change")
    git(template, "tag", "99.0.0")
    yield "99.0.0"
    git(template, "tag", "-d", "99.0.0")
    git(template, "reset", "-q", "--hard", NEXT_RELEASE)


# Each runs an updated project's whole `make test`: a group of their own, beside the
# boots' `processes` group, so the suite's two workers share that load.
@pytest.mark.xdist_group("updates")
def test_jobs_and_routes_added_the_documented_way_update_across_a_runtime_release_cleanly(
    template: Path, runtime_only_release: str, tmp_path: Path, redis_url: str
) -> None:
    project = copy(template, tmp_path / "project", NEXT_RELEASE)
    added = {path: path.read_text() for path in add_jobs_the_documented_way(project)}
    (project / ".env").write_text("FLOWER_PASSWORD=ours-and-long-enough-to-count\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "our jobs")

    run_update(project, defaults=True, overwrite=True, vcs_ref=runtime_only_release, quiet=True)

    assert leftovers(project) == []
    assert "A runtime-only change" in (project / RUNTIME_ENQUEUE).read_text()
    assert {path: path.read_text() for path in added} == added
    changed = git_status(project).split()
    assert changed == ["M", ".copier-answers.yml", "M", RUNTIME_ENQUEUE]
    run(["make", "lint"], project)
    run(["make", "test"], project, REDIS_URL=redis_url)


@pytest.mark.parametrize("conflict", ["rej", "inline"])
def test_an_unfinished_update_fails_make_lint_and_shows_in_git_status(
    template: Path, runtime_only_release: str, tmp_path: Path, conflict: str
) -> None:
    project = copy(template, tmp_path / "project", NEXT_RELEASE)
    ours = project / RUNTIME_ENQUEUE
    ours.write_text(ours.read_text() + "\n\n# Our own change, where the release changes too.\n")
    git(project, "commit", "-q", "-am", "our change")

    run_update(
        project,
        defaults=True,
        overwrite=True,
        vcs_ref=runtime_only_release,
        quiet=True,
        conflict=conflict,
    )

    unfinished = RUNTIME_ENQUEUE + (".rej" if conflict == "rej" else "")
    assert unfinished in git_status(project)
    lint = subprocess.run(
        ["make", "lint"], cwd=project, env=project_env(), capture_output=True, text=True
    )
    assert lint.returncode != 0
    assert unfinished in lint.stdout
    assert "An update is unfinished" in lint.stderr


@pytest.mark.xdist_group("updates")
def test_a_route_added_to_a_previous_release_is_discovered_after_the_update(
    template: Path, tmp_path: Path, redis_url: str
) -> None:
    previous = list(RELEASES)[-1]
    project = copy(template, tmp_path / "project", previous)
    route = project / PKG / "api/routes/ping.py"
    route.write_text(
        '"""A route of our own."""\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n'
        '@router.get("/ping")\nasync def ping() -> str:\n    return "pong"\n'
    )
    (project / ".env").write_text("FLOWER_PASSWORD=ours-and-long-enough-to-count\n")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "our work")

    update(project, trust=True)

    assert leftovers(project) == []
    assert "pong" in route.read_text()
    assert (project / ".env").read_text() == "FLOWER_PASSWORD=ours-and-long-enough-to-count\n"
    run(["make", "test"], project, REDIS_URL=redis_url)
    served = run(
        [
            "uv",
            "run",
            "--frozen",
            "python",
            "-c",
            f"from {DEFAULT_PACKAGE}.api.app import create_app; "
            "print(sorted(create_app().openapi()['paths']))",
        ],
        project,
    )
    assert "/ping" in served.stdout


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_changing_an_answer_adds_or_removes_exactly_its_files(
    template: Path, tmp_path: Path, name: str
) -> None:
    option = OPTIONS[name]
    base = {**OFF, **option.base}
    project = copy(template, tmp_path / "project", "HEAD", **base)
    before = {str(p.relative_to(project)) for p in project.rglob("*") if ".git" not in p.parts}

    update(project, **{**base, **option.on})
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", f"{name} on")
    on = {str(p.relative_to(project)) for p in project.rglob("*") if ".git" not in p.parts}
    added = {path for path in on - before if not Path(project / path).is_dir()}
    assert added == set(option.files)
    assert leftovers(project) == []

    update(project, **base)
    off = {str(p.relative_to(project)) for p in project.rglob("*") if ".git" not in p.parts}
    assert off == before
    assert leftovers(project) == []


def test_turning_every_option_off_keeps_the_users_secrets(template: Path, tmp_path: Path) -> None:
    project = copy(template, tmp_path / "project", "HEAD", use_flower=True)
    secrets = project / ".env.secrets"
    ours = secrets.read_text() + "SMTP_PASSWORD=ours\n"
    secrets.write_text(ours)

    update(project, **OFF)

    assert secrets.read_text() == ours


def test_a_hand_edited_boolean_answer_that_is_no_boolean_stops_the_update(
    template: Path, tmp_path: Path
) -> None:
    project = copy(template, tmp_path / "project", "HEAD")
    answers = project / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("use_beat: true", "use_beat: maybe"))
    git(project, "commit", "-q", "-am", "edited by hand")

    with pytest.raises(ValueError, match="'maybe' is not in \\[True, False\\]"):
        update(project)
    assert "use_beat: maybe" in answers.read_text()


def test_update_from_the_first_release_gives_flower_a_password_and_keeps_env(
    template: Path, tmp_path: Path
) -> None:
    # A 0.1.0 project whose user ran `make install`: .env is a copy of .env.example.
    first = next(iter(RELEASES))
    project = copy(template, tmp_path / "project", first)
    env = (project / ".env.example").read_text() + "LOG_LEVEL=DEBUG\n"
    (project / ".env").write_text(env)

    update(project, trust=True, use_flower=True)

    assert (project / ".env").read_text() == env
    secrets = (project / ".env.secrets").read_text()
    assert re.search(r"^FLOWER_PASSWORD=[0-9a-f]{64}$", secrets, re.M)


def test_the_priority_queues_answer_is_renamed_only_with_trust_and_keeps_its_value(
    template: Path, tmp_path: Path
) -> None:
    # 0.3.0 renamed the question; without the migration the option would turn off.
    project = copy(template, tmp_path / "project", "0.2.0", priority_queues=True)
    answers = project / ".copier-answers.yml"
    assert "\npriority_queues: true\n" in answers.read_text()

    with pytest.raises(UnsafeTemplateError, match="migrations"):
        update(project)
    assert git_status(project) == ""

    update(project, trust=True)
    assert "\nuse_priority_queues: true\n" in answers.read_text()
    assert "\npriority_queues:" not in answers.read_text()
    fresh = copy(template, tmp_path / "fresh", "HEAD", use_priority_queues=True)
    assert leftovers(project) == []
    assert differences(project, fresh) == []


def test_renaming_an_answer_twice_changes_nothing_more() -> None:
    from rename_answer import rename_answer

    once = rename_answer("_commit: 0.2.0\npriority_queues: true\n", "priority_queues", "use_x")
    assert once == "_commit: 0.2.0\nuse_x: true\n"
    assert rename_answer(once, "priority_queues", "use_x") == once
