"""Counting what happened to a burst: completed, duplicated and lost charges.

Counted from the tests' own ledger (`chaos_tasks.executions_file`: every start and
every receipt of a charge, appended to a file), which the code under test never
writes, and compared with the service's ledger, which it does.
"""

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaos_tasks import executions_file
from fixture_service.settings import Settings
from redis import Redis
from support.ledger import charged_keys


@dataclass(frozen=True)
class Audit:
    sent: int
    completed: int
    duplicated: int
    lost: int

    def line(self) -> str:
        return (
            f"sent {self.sent}, completed {self.completed}, "
            f"duplicated {self.duplicated}, lost {self.lost}"
        )


def _count(charges: Counter[str], keys: set[str]) -> Audit:
    return Audit(
        sent=len(keys),
        completed=len(keys & set(charges)),
        duplicated=sum(count - 1 for key, count in charges.items() if key in keys),
        lost=len(keys - set(charges)),
    )


def _entries(path: Path, event: str) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    return [entry for entry in entries if entry["event"] == event]


def receipts(path: Path) -> set[tuple[str, str, str]]:
    """Distinct receipts: a charge made twice has two, a redelivered one repeats one."""
    charged = [entry["receipt"] for entry in _entries(path, "charged")]
    return {(r["idempotency_key"], r["charged_by_job"], r["charged_at"]) for r in charged}


def audit_executions(settings: Settings, keys: set[str]) -> Audit:
    """From the tests' own ledger of executions."""
    made = receipts(executions_file(settings))
    return _count(Counter(key for key, _, _ in made), keys)


@dataclass(frozen=True)
class Interruptions:
    interrupted: int  # starts of a charge that did not end (its worker was killed)
    not_given_again: list[str]  # jobs whose interrupted message never started again


def interruptions(settings: Settings) -> Interruptions:
    """Whether the broker gave every message whose run a kill interrupted out again
    (late acknowledgement), rather than the lost-job sweep publishing a copy."""
    path = executions_file(settings)
    ended = {(e["job"], e["message"], e["pid"]) for e in _entries(path, "charged")}
    starts = _entries(path, "started")
    interrupted = [s for s in starts if (s["job"], s["message"], s["pid"]) not in ended]
    not_given_again = [
        cut["job"]
        for cut in interrupted
        if not any(
            (s["job"], s["message"]) == (cut["job"], cut["message"]) and s["at"] > cut["at"]
            for s in starts
        )
    ]
    return Interruptions(len(interrupted), not_given_again)


def audit_service_ledger(redis: Redis, settings: Settings, keys: set[str]) -> Audit:
    """From the payment stand-in's ledger, which the charge job writes."""
    return _count(Counter(charged_keys(redis, settings)), keys)
