"""Render a demo service, boot it against Redis, send it a job and print what happens.

    make demo            (or: uv run python scripts/demo.py [DESTINATION])

Uses the Redis at REDIS_URL (default 127.0.0.1:6379) when one answers, else starts a
private redis-server on a free port and stops it afterwards (tests/support/local_servers.py
of the rendered project).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
import types
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from copier import run_copy
from copier.errors import DirtyLocalWarning

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
TESTING = ROOT / "template" / "runtime" / "src" / "durable_jobs" / "testing"


def runtime_helpers_without_the_runtime() -> None:
    """`make demo` leaves the runtime out of this environment (the demo service has its
    own). Its server and process helpers need only the standard library and redis:
    reach them as plain modules, without the package's imports (Celery, FastAPI)."""
    for name, path in (("durable_jobs", TESTING.parent), ("durable_jobs.testing", TESTING)):
        package = types.ModuleType(name)
        package.__path__ = [str(path)]
        sys.modules[name] = package


if importlib.util.find_spec("durable_jobs") is None:
    runtime_helpers_without_the_runtime()

from booting import start_worker_and_api  # noqa: E402
from durable_jobs.testing.local_servers import (  # noqa: E402
    ServerUnavailable,
    answers,
    private_server,
)
from durable_jobs.testing.process_supervisor import ProcessSupervisor, free_port  # noqa: E402

DEFAULT_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def say(message: str) -> None:
    print(message, flush=True)


@contextmanager
def redis_for_demo() -> Iterator[str]:
    if answers(DEFAULT_REDIS):
        say(f"Using the Redis that answers at {DEFAULT_REDIS} (REDIS_URL)")
        yield DEFAULT_REDIS
        return
    try:
        with private_server("redis") as server:
            say(f"No Redis answers at {DEFAULT_REDIS}: started a private one at {server.url}")
            yield server.url
    except ServerUnavailable as exc:
        sys.exit(str(exc))


def render(destination: Path) -> None:
    run_copy(str(ROOT), destination, defaults=True, overwrite=True, vcs_ref="HEAD", quiet=True)
    say(f"Rendered the demo service into {destination}")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    installed = subprocess.run(
        ["make", "install"], cwd=destination, env=env, capture_output=True, text=True, check=False
    )
    if installed.returncode != 0:
        sys.exit(f"`make install` failed:\n{installed.stdout}\n{installed.stderr}")
    say("Installed its environment with `make install` (uv sync)")


def follow(client: httpx.Client, location: str, timeout: float = 60) -> dict[str, object]:
    states: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(location).raise_for_status().json()
        if not states or states[-1] != status["state"]:
            states.append(status["state"])
        if status["state"] in {"SUCCESS", "FAILURE"}:
            break
        time.sleep(0.05)
    say(f"  states seen: {' -> '.join(states)}")
    return status


def main() -> int:
    # Rendering the working tree, uncommitted changes included, is the point of a demo.
    warnings.simplefilter("ignore", DirtyLocalWarning)
    destination = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "demo-service").resolve()
    with tempfile.TemporaryDirectory(prefix="demo-") as scratch_name:
        scratch = Path(scratch_name)
        supervisor = ProcessSupervisor(scratch / "logs")
        try:
            # First: the first line says which Redis the demo uses.
            with redis_for_demo() as redis_url:
                render(destination)
                port = free_port()
                env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
                env.update(
                    REDIS_URL=redis_url,
                    KEY_PREFIX=f"demo-{uuid.uuid4().hex[:6]}:",
                    API_PORT=str(port),
                )
                url = start_worker_and_api(supervisor, destination, env)
                say(f"Started `make worker` and `make api` (API on {url})")
                client = httpx.Client(base_url=url, timeout=5)
                response = client.post(
                    "/charges",
                    json={"customer_id": "demo-customer", "amount_cents": 1999, "currency": "EUR"},
                    headers={"Idempotency-Key": f"demo-{uuid.uuid4().hex}"},
                )
                response.raise_for_status()
                job_id = response.json()["id"]
                say(f"POST /charges -> {response.status_code}, job id {job_id}")
                status = follow(client, response.headers["location"])
                say(f"Job {job_id}: {status['state']}")
                say(f"  result: {json.dumps(status['result'])}")
                return 0 if status["state"] == "SUCCESS" else 1
        except Exception:
            print(supervisor.report(), file=sys.stderr)
            raise
        finally:
            supervisor.stop_all()


if __name__ == "__main__":
    sys.exit(main())
