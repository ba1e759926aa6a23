"""The start-up check of the runtime's overrides (`overrides.py`): refuse to start
where one may no longer hold, and say which."""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from .overrides import OVERRIDES, TESTED_MINORS, Override


class UntestedVersion(RuntimeError):
    """A minor release the runtime was not tested on is installed."""


class OverrideBroken(RuntimeError):
    """An attribute the runtime overrides is gone from its base."""


def minor(release: str) -> str:
    return ".".join(release.split(".")[:2])


def installed_versions() -> dict[str, str]:
    """The installed release of each library the runtime overrides (optional extras
    that are not installed are left out)."""
    found = {}
    for name in TESTED_MINORS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def check_tested_versions(installed: dict[str, str] | None = None) -> None:
    found = installed_versions() if installed is None else installed
    for name, release in found.items():
        tested = TESTED_MINORS[name]
        if minor(release) not in tested:
            raise UntestedVersion(
                f"{name} {release} is installed, but this service's runtime was tested "
                f"only on {name} {', '.join(f'{m}.x' for m in tested)}: its fixes of "
                f"{name}'s internals may not hold. Install a tested release (uv sync "
                "--frozen, or pin it in pyproject.toml), or update the template "
                "(`copier update`) to a release tested on it."
            )


def check_overrides(
    overrides: tuple[Override, ...] = OVERRIDES, installed: dict[str, str] | None = None
) -> None:
    """Each overridden attribute still exists on its base (installed libraries only)."""
    found = installed_versions() if installed is None else installed
    for override in overrides:
        if override.library not in found:
            continue
        module, _, name = override.base.partition(":")
        base = getattr(import_module(module), name, None)
        missing = [a for a in override.attributes if base is None or not hasattr(base, a)]
        if missing:
            raise OverrideBroken(
                f"{override.library} {found[override.library]}: {override.base} no longer "
                f"has {', '.join(missing)}, which the runtime overrides ({override.answers}). "
                "Install the tested release (uv sync --frozen) or update the template."
            )


def check_third_party() -> None:
    """Refuse to start where an override may no longer hold (both checks above)."""
    installed = installed_versions()
    check_tested_versions(installed)
    check_overrides(installed=installed)
