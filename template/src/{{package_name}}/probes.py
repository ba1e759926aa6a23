"""Health checks for containers, with the standard library only: they start in
milliseconds and need neither the broker nor the web stack.

    python -m <package>.probes http http://127.0.0.1:8000/readyz
    python -m <package>.probes fresh /tmp/worker.alive 60

`http` passes on a 2xx answer within 3 seconds. `fresh` passes when the file was
touched in the last N seconds: the worker and Beat touch theirs from their main loop
(HEARTBEAT_FILE), so a process that hangs goes stale however busy its queues are.
"""

import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HTTP_TIMEOUT = 3.0


def http_ok(url: str) -> str | None:
    """None when `url` answers 2xx, else why not."""
    try:
        with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}"
    except OSError as exc:
        return f"{url} did not answer: {exc}"
    return None if 200 <= status < 300 else f"{url} answered {status}"


def fresh(path: Path, max_age: float) -> str | None:
    """None when `path` was touched in the last `max_age` seconds, else why not."""
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"{path} does not exist (yet)"
    return None if age <= max_age else f"{path} is {age:.0f} s old (limit {max_age:.0f} s)"


def main(argv: list[str]) -> int:
    match argv:
        case ["http", url]:
            problem = http_ok(url)
        case ["fresh", path, max_age]:
            problem = fresh(Path(path), float(max_age))
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
