"""Beat's schedule comes from the job modules: each declares its own entries."""

import sys
from pathlib import Path

import pytest
from fixture_service import jobs

from durable_jobs.beat import discover_schedule


def test_the_schedule_is_every_job_modules_entries() -> None:
    assert set(discover_schedule(jobs)) == {"nightly-cleanup-of-old-outputs"}


def test_two_entries_with_one_name_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "twice"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module in ("a", "b"):
        (package / f"{module}.py").write_text("BEAT_SCHEDULE = {'nightly': {'task': 'x'}}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import twice  # type: ignore[import-not-found]  # noqa: PLC0415

    with pytest.raises(ValueError, match=r"'nightly'.*twice\.a and twice\.b"):
        discover_schedule(twice)
    monkeypatch.delitem(sys.modules, "twice")
