"""The README's first command works as a new user would run it."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, project_env


@pytest.mark.xdist_group("processes")
def test_demo_prints_the_job_id_and_success(tmp_path: Path, redis_url: str) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), str(tmp_path / "demo-service")],
        env=project_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Which Redis it used, whether it found one or started its own.
    assert result.stdout.splitlines()[0] in {
        f"Using the Redis that answers at {redis_url} (REDIS_URL)",
        *re.findall(r"^No Redis answers at .*", result.stdout, re.M),
    }
    job = re.search(r"POST /charges -> 202, job id ([0-9a-f-]{36})", result.stdout)
    assert job, result.stdout
    assert f"Job {job.group(1)}: SUCCESS" in result.stdout
