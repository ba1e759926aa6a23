"""What Celery task events cost: no-op job throughput of one worker with events off
(the service's default) and on (what Flower switches on while it runs), measured side
by side in one run. Prints figures, asserts nothing.

    uv run python runtime/bench/task_events_cost.py [--jobs 3000] [--rounds 3]

Needs the Redis (and broker) of the environment or `.env`; uses key and queue prefixes
of its own.
"""

import argparse
import statistics
import tempfile
from pathlib import Path

from report import table
from worker_throughput import OURS, throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"off": [], "on": []}
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    cwd = Path.cwd()
    for _ in range(args.rounds):  # alternate, so drift hits both alike
        results["off"].append(throughput(OURS, args.jobs, logs, cwd))
        results["on"].append(throughput([*OURS, "--task-events"], args.jobs, logs, cwd))
    medians = {name: statistics.median(rounds) for name, rounds in results.items()}
    rows = [
        [name, f"{medians[name]:.0f}", ", ".join(f"{r:.0f}" for r in rounds)]
        for name, rounds in results.items()
    ]
    print(
        table(f"task events, {args.jobs} no-op jobs a round", ["events", "jobs/s", "rounds"], rows)
    )
    share = round(100 * medians["on"] / medians["off"])
    print(f"events on: {share} % of the throughput with events off")


if __name__ == "__main__":
    main()
