"""The runtime refuses to start where one of its overrides of third-party code may no
longer hold: an untested minor release, or an overridden attribute gone from its base."""

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest
from kombu.transport import redis as kombu_redis

import durable_jobs
from durable_jobs import RuntimeSettings
from durable_jobs._core import third_party_check
from durable_jobs._core.celery_app import make_celery
from durable_jobs._core.extras import EXTRAS
from durable_jobs._core.overrides import OVERRIDES, TESTED_MINORS

# Extension points the libraries document for subclassing: overriding them is their API.
DOCUMENTED_BASES = (
    "celery.bootsteps",
    "prometheus_client.registry",
    "logging",
    "pydantic",
    "pydantic_settings",
    "typing",
    "structlog",
    "sqlalchemy.orm",
)


def settings() -> RuntimeSettings:
    return RuntimeSettings(_env_file=None)


def test_the_installed_releases_are_tested_ones_and_every_override_holds() -> None:
    third_party_check.check_third_party()


@pytest.mark.parametrize("name", sorted(TESTED_MINORS))
def test_an_untested_minor_stops_the_service_with_a_clear_error(name: str) -> None:
    installed = {package: f"{minors[0]}.0" for package, minors in TESTED_MINORS.items()}
    installed[name] = "9.99.0"
    with pytest.raises(third_party_check.UntestedVersion, match=rf"{name} 9\.99\.0 is installed"):
        third_party_check.check_tested_versions(installed)


def test_the_apps_check_the_versions_when_they_are_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(third_party_check, "version", lambda name: "9.99.0")
    with pytest.raises(third_party_check.UntestedVersion):
        make_celery(settings(), ())


def test_an_overridden_attribute_gone_from_its_base_stops_the_apps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if kombu renamed it: gone from the whole class hierarchy.
    monkeypatch.delattr(kombu_redis.Channel, "_connparams")
    with pytest.raises(third_party_check.OverrideBroken) as refused:
        make_celery(settings(), ())
    message = str(refused.value)
    assert message.startswith("kombu 5.7.")
    assert "kombu.transport.redis:Channel no longer has _connparams" in message
    assert "kombu#582" in message


# What the runtime's extras install: a service without the extra lacks these modules
# (the beat extra is chosen by the rendered options, not by a setting).
EXTRA_MODULES = {module for modules, _ in EXTRAS.values() for module in modules} | {"redbeat"}


def runtime_modules() -> list[ModuleType]:
    """Every module of the runtime whose extra is installed."""
    modules = []
    for info in pkgutil.walk_packages(durable_jobs.__path__, "durable_jobs."):
        try:
            modules.append(importlib.import_module(info.name))
        except ModuleNotFoundError as missing:
            if (missing.name or "").partition(".")[0] not in EXTRA_MODULES:
                raise
    return modules


def overridden_attributes() -> set[tuple[str, str]]:
    """(base, attribute) for each attribute a runtime class replaces on a base from
    another library, documented extension points aside."""
    found = set()
    for module in runtime_modules():
        for cls in vars(module).values():
            if not inspect.isclass(cls) or cls.__module__ != module.__name__:
                continue
            # Beyond the runtime's own classes and `object`, which is no library's.
            bases = [b for b in cls.__mro__[1:-1] if not b.__module__.startswith("durable_jobs")]
            for attribute in vars(cls):
                if attribute.startswith("__") and attribute != "__init__":
                    continue
                owner = next((b for b in bases if attribute in vars(b)), None)
                if owner is not None and not owner.__module__.startswith(DOCUMENTED_BASES):
                    found.add((f"{owner.__module__}:{owner.__qualname__}", attribute))
    return found


def declared_on(base: str) -> set[str]:
    return {a for o in OVERRIDES if o.base == base for a in o.attributes}


def test_every_override_of_a_third_party_class_is_declared() -> None:
    undeclared = sorted(
        f"{base}.{attribute}"
        for base, attribute in overridden_attributes()
        if attribute not in declared_on(base)
    )
    assert undeclared == []


def test_every_declared_library_is_version_gated() -> None:
    assert {override.library for override in OVERRIDES} <= set(TESTED_MINORS)
