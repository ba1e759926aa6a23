"""The Celery and kombu releases the runtime was tested on, checked at start-up.

The runtime subclasses kombu's broker transports, builds kombu's Redis message format,
and hooks Celery's request class and task sender (each module says why).
Those are internals: a new minor release may change them without notice, and the
failure would be silent (a lost message, not an error). So the API and the worker
refuse to start on a minor release nobody tested; `pyproject.toml` pins the same
ranges, and the template's next release widens both after its tests pass on it.
"""

from importlib.metadata import version

TESTED_MINORS = {"celery": ("5.7",), "kombu": ("5.7",)}


class UntestedVersion(RuntimeError):
    """A Celery or kombu minor release the runtime was not tested on is installed."""


def minor(release: str) -> str:
    return ".".join(release.split(".")[:2])


def check_tested_versions(installed: dict[str, str] | None = None) -> None:
    found = installed or {name: version(name) for name in TESTED_MINORS}
    for name, tested in TESTED_MINORS.items():
        if minor(found[name]) not in tested:
            raise UntestedVersion(
                f"{name} {found[name]} is installed, but this service's runtime was tested "
                f"only on {name} {', '.join(f'{m}.x' for m in tested)}: its fixes of "
                f"{name}'s internals may not hold. Install a tested release (uv sync "
                "--frozen, or pin it in pyproject.toml), or update the template "
                "(`copier update`) to a release tested on it."
            )
