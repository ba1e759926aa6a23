"""A project from before the runtime split (0.4.0), with a job added exactly as its own
README said, follows docs/updating.md to 0.4.0 and then runs that job when booted."""

import re
from pathlib import Path

import httpx
import pytest
from booting import ROOT, start_worker_and_api, wait_for_success
from conftest import DEFAULT_PACKAGE, run
from durable_jobs.testing.process_supervisor import ProcessSupervisor
from releases import RELEASES
from updating import copy, git, leftovers, update

pytestmark = pytest.mark.boot
PKG = f"src/{DEFAULT_PACKAGE}"
# The files the old recipe edited, which 0.4.0 deletes or rewrites.
EDITED_THE_OLD_WAY = [
    f"{PKG}/jobs/catalog.py",
    f"{PKG}/jobs/payloads.py",
    f"{PKG}/worker/app.py",
    f"{PKG}/api/app.py",
]
OLD_TASK = '''"""Sending an invoice."""

from ...jobs.catalog import INVOICE
from ...jobs.payloads import Invoice
from .. import resources
from ..job_task import AnyTask, job_task


@job_task(INVOICE, retry_on=(ConnectionError, TimeoutError))
def send_invoice(task: AnyTask, payload: Invoice) -> dict[str, int]:
    with resources.idempotency_for(INVOICE).claim(
        f"invoice:{payload.order_id}", owner=str(task.request.id or "")
    ) as claim:
        if not claim.done:
            claim.commit({"invoiced": payload.order_id})
        result: dict[str, int] = claim.result
        return result
'''
OLD_ROUTE = '''"""Invoices."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from ...jobs.catalog import INVOICE
from ...jobs.payloads import Invoice
from ..dependencies import JobsDep
from ..request_id import current_request_id
from ..schemas import JobAccepted
from .jobs import QUEUE_UNAVAILABLE, accepted

router = APIRouter(tags=["invoices"])


@router.post("/invoices/{order_id}", status_code=202, responses=QUEUE_UNAVAILABLE)
async def create_invoice(
    order_id: Annotated[int, Path(gt=0)], response: Response, jobs: JobsDep
) -> JobAccepted:
    job = await jobs.enqueue(INVOICE, Invoice(order_id=order_id), request_id=current_request_id())
    return accepted(job, response)
'''


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer has {old!r}: the old recipe changed"
    path.write_text(text.replace(old, new, 1))


def add_a_job_the_old_way(project: Path) -> None:
    """The 0.1.0-0.3.0 README's "Add a job": payload, spec in ALL_JOBS, a task module
    listed in TASK_MODULES, and a route listed in the app's router tuple."""
    package = project / PKG
    with (package / "jobs/payloads.py").open("a") as payloads:
        payloads.write("\n\nclass Invoice(Payload):\n    order_id: int = Field(gt=0)\n")
    edit(package / "jobs/catalog.py", "from .payloads import ", "from .payloads import Invoice, ")
    edit(
        package / "jobs/catalog.py",
        "ALL_JOBS: tuple[JobSpec[Any], ...] = (",
        'INVOICE = JobSpec(\n    name="billing.invoice",\n    payload=Invoice,\n'
        "    soft_time_limit=10,\n    time_limit=15,\n    max_retries=5,\n"
        "    retry_backoff_max=300,\n)\n\nALL_JOBS: tuple[JobSpec[Any], ...] = (INVOICE, ",
    )
    (package / "worker/tasks/invoice.py").write_text(OLD_TASK)
    edit(
        package / "worker/app.py",
        "TASK_MODULES = [\n",
        'TASK_MODULES = [\n    f"{__package__}.tasks.invoice",\n',
    )
    (package / "api/routes/invoices.py").write_text(OLD_ROUTE)
    edit(
        package / "api/app.py",
        "from .routes import charges,",
        "from .routes import charges, invoices,",
    )
    edit(package / "api/app.py", "for module in (health,", "for module in (health, invoices,")


def readme_examples() -> tuple[str, str]:
    """The job module and the route module of the new README's "Add a job"."""
    readme = (ROOT / "template/README.md.jinja").read_text()
    section = readme.split("## Add a job", 1)[1].split("\n## ", 1)[0]
    job, route = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    return job, route


def follow_the_documented_procedure(project: Path) -> None:
    """docs/updating.md, "Updating to 0.4.0", steps 1-3 and the commit of step 5."""
    job, route = readme_examples()
    package = project / PKG
    (package / "jobs/invoice.py").write_text(job)
    (package / "api/routes/invoices.py").write_text(route)
    git(project, "checkout", "HEAD~1", "--", *EDITED_THE_OLD_WAY)
    (package / "worker/tasks/invoice.py").unlink()
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "our job moved the 0.4.0 way")


@pytest.mark.parametrize("release", ["0.1.0", "0.3.0"])
def test_a_job_added_before_the_split_runs_after_the_documented_update(
    template: Path,
    tmp_path: Path,
    release: str,
    service_env: dict[str, str],
    supervisor: ProcessSupervisor,
) -> None:
    assert release in RELEASES
    project = copy(template, tmp_path / "project", release)
    add_a_job_the_old_way(project)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "our invoice job, as the README said")

    follow_the_documented_procedure(project)
    update(project, trust=True)

    assert leftovers(project) == []
    assert not (project / PKG / "worker/tasks").exists()
    run(["make", "lint"], project)
    client = httpx.Client(base_url=start_worker_and_api(supervisor, project, service_env))
    accepted = client.post("/invoices/7")
    assert accepted.status_code == 202, accepted.text
    assert wait_for_success(client, accepted.headers["location"])["result"] == {"invoiced": 7}
