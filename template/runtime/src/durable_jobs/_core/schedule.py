"""Periodic jobs declared beside their jobs: a job module's `BEAT_SCHEDULE` (Celery's
`beat_schedule` entries) is collected by Beat, so deleting the module deletes its
schedule too and no central list names a job that is gone."""

from types import ModuleType
from typing import Any

from .declaration import modules_of

SCHEDULE_ATTRIBUTE = "BEAT_SCHEDULE"


def discover_schedule(package: ModuleType) -> dict[str, dict[str, Any]]:
    """Every `BEAT_SCHEDULE` entry of the modules of `package`, by entry name."""
    found: dict[str, dict[str, Any]] = {}
    owners: dict[str, str] = {}
    for module in modules_of(package):
        for name, entry in getattr(module, SCHEDULE_ATTRIBUTE, {}).items():
            if name in found:
                raise ValueError(
                    f"two schedule entries are named {name!r}: in {owners[name]} and "
                    f"{module.__name__}"
                )
            found[name], owners[name] = entry, module.__name__
    return found
