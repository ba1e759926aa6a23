"""Waiting for a job through the HTTP API, as a client would."""

from __future__ import annotations

import time
from typing import Any

import httpx2 as httpx
import pytest

FINAL = {"SUCCESS", "FAILURE"}


def wait_for_final(client: httpx.Client, job_id: str, timeout: float = 30) -> list[dict[str, Any]]:
    """Poll a job until it ends; return every status seen."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get(f"/jobs/{job_id}").raise_for_status().json()
        seen.append(status)
        if status["state"] in FINAL:
            return seen
        time.sleep(0.05)
    pytest.fail(f"job {job_id} did not finish in {timeout} s; last status {seen[-1]}")
