"""Unit tests build their settings from explicit values: the configuration the
integration run is given in the environment (BROKER_URL, DATABASE_URL, ...) stays out."""

import pytest

RUN_CONFIGURATION = ("BROKER_URL", "DATABASE_URL", "PRIORITY_QUEUES", "TEST_DATABASE_SERVER")


@pytest.fixture(autouse=True)
def _without_the_run_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in RUN_CONFIGURATION:
        monkeypatch.delenv(name, raising=False)
