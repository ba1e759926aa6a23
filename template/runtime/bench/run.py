"""The runtime's benchmarks, measured side by side in one run: prints tables and writes
results.png, then judges itself: PASS or MISS per target, and a non-zero exit when a
target was missed (`--report-only` reports without failing) or any request failed.
Compare runs on one machine.

    python runtime/bench/run.py [--project .] [--duration 10 --jobs 3000 --quick]

(`make bench` in a project runs this with `--project .`.) Needs wrk (apt-get install
wrk). It measures a service of its own (bench_service/: the runtime's API and worker
with a job and a route of the bench's), so no figure depends on a service's jobs. It
reads the settings a service would (the environment, then `.env` of the directory it
runs in) and uses key and queue prefixes of its own for every run, deleting what it
wrote, queues included. On RabbitMQ the confirmed enqueue paths are measured again on a
private 3-node cluster it starts on loopback ports (`--no-cluster` skips that; so does a
machine without rabbitmq-server); on Redis, the cost of replica acknowledgement on a
private Redis with a replica. With `--project`, start-up times are measured in an
environment built as the project's container image builds it (no development tools,
bytecode compiled at install), and the project's `copier copy` and test suite are timed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_service.settings import Settings
from http_figures import (
    API,
    BASELINES,
    CONFIRMED_BASELINES,
    cluster_figures,
    failed_endpoints,
    http_figures,
    replica_ack_figures,
)
from isolation import delete_run, fresh_settings, own_database, run_env
from project_figures import copier_copy_time, suite_time
from report import http_rows, plot, table
from targets import Target, enqueue_targets, missed
from worker_throughput import (
    DEFAULTS,
    OURS,
    production_environment,
    start_to_first_job,
    throughput,
)

from durable_jobs._core.broker_options import is_redis
from durable_jobs.testing.local_servers import missing_programs
from durable_jobs.testing.process_supervisor import ProcessSupervisor, free_port, http_ok


def api_start_to_ready(logs: Path, bin_dir: Path, cwd: Path) -> float:
    settings = fresh_settings()
    port = free_port()
    supervisor = ProcessSupervisor(logs)
    started = time.perf_counter()
    try:
        supervisor.start(
            f"api-start-{port}",
            [str(bin_dir / API[0]), *API[1:], "--host", "127.0.0.1", "--port", str(port)],
            env=run_env(settings),
            cwd=cwd,
            ready=http_ok(f"http://127.0.0.1:{port}/readyz"),
            timeout=30,
        )
        return time.perf_counter() - started
    finally:
        supervisor.stop_all()
        delete_run(settings)


def rounds(figures: list[float]) -> str:
    return ", ".join(f"{figure:.0f}" for figure in figures)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint")
    parser.add_argument("--jobs", type=int, default=3000, help="no-op jobs per worker round")
    parser.add_argument("--rounds", type=int, default=2, help="no-op worker rounds")
    parser.add_argument("--http-rounds", type=int, default=3, help="load rounds per endpoint")
    parser.add_argument(
        "--project",
        type=Path,
        help="a rendered project: start-ups in its production environment, its copier copy "
        "and test suite timed",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="skip copier copy, the test suite and the production environment (start-ups "
        "measured in this one)",
    )
    parser.add_argument(
        "--no-cluster", action="store_true", help="RabbitMQ: skip the private 3-node cluster"
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="exit 0 even when a target is missed (failed requests still fail the run)",
    )
    parser.add_argument(
        "--keep-logs",
        action="store_true",
        help="keep the processes' logs (deleted at the end otherwise; kept when requests fail)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("var/bench"),
        help="where results.png goes (var/bench)",
    )
    return parser.parse_args()


def main() -> None:
    args = arguments()
    with own_database():
        measure(args)


def measure(args: argparse.Namespace) -> None:
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    cwd = Path.cwd()
    on_redis = is_redis(Settings().effective_broker_url)

    baselines = BASELINES if on_redis else {**BASELINES, **CONFIRMED_BASELINES}
    http = http_figures(args.duration, args.http_rounds, logs, cwd, baselines=baselines)
    if on_redis:
        http.update(replica_ack_figures(args.duration, args.http_rounds, logs, cwd))
    elif args.no_cluster or missing_programs(["rabbitmq"]):
        print("3-node RabbitMQ cluster: not measured (--no-cluster, or no rabbitmq-server here)")
    else:
        http.update(cluster_figures(args.duration, args.http_rounds, logs, cwd))
    # Printed at once: the figures the rest of the run cannot take away.
    print(
        table(
            f"\nHTTP, wrk, 32 connections, {args.duration} s each, median of {args.http_rounds}",
            ["endpoint", "req/s", "p50 ms", "p99 ms", "loop lag p99 ms", "non-2xx"],
            http_rows(http),
        ),
        flush=True,
    )
    if failed := failed_endpoints(http):
        # A throughput of errors is no throughput: nothing below would mean anything.
        raise SystemExit(f"bench: requests failed on {', '.join(failed)}; logs kept in {logs}")

    noop: dict[str, list[float]] = {"defaults": [], "ours": []}
    for _ in range(args.rounds):  # alternate, so drift hits both alike
        noop["defaults"].append(throughput(DEFAULTS, args.jobs, logs, cwd, defaults=True))
        noop["ours"].append(throughput(OURS, args.jobs, logs, cwd))
    # Without a project (or with --quick), this environment, its development tools
    # included: building the production one takes a while.
    production = args.project and not args.quick
    bin_dir = (
        production_environment(args.project, logs / "production-venv")
        if production
        else Path(sys.executable).parent
    )
    starts: dict[str, list[float]] = {"defaults": [], "ours": []}
    for _ in range(3):
        starts["defaults"].append(start_to_first_job(logs, bin_dir, cwd, defaults=True))
        starts["ours"].append(start_to_first_job(logs, bin_dir, cwd))
    first_job = statistics.median(starts["ours"])
    api_ready = statistics.median(api_start_to_ready(logs, bin_dir, cwd) for _ in range(3))
    copy = copier_copy_time(args.project) if production else None
    suite = suite_time(args.project) if production else None

    defaults, mine = statistics.median(noop["defaults"]), statistics.median(noop["ours"])
    print(
        table(
            f"no-op jobs/s, one worker, concurrency 2, {args.rounds} rounds of {args.jobs}",
            ["settings", "median", "rounds"],
            [[name, f"{statistics.median(v):.0f}", rounds(v)] for name, v in noop.items()],
        )
    )
    where = "the project's production environment" if production else "this environment"
    startup = [
        ["worker to first job", f"{first_job:.2f} s"],
        ["  Celery's defaults, same environment", f"{statistics.median(starts['defaults']):.2f} s"],
        ["API to ready", f"{api_ready:.2f} s"],
    ]
    startup += [["copier copy", f"{copy:.2f} s"]] if copy is not None else []
    startup += [["test suite (unit, integration)", f"{suite:.1f} s"]] if suite is not None else []
    print(table(f"start-up ({where}, median of 3) and suite", ["what", "time"], startup))
    targets = [
        *enqueue_targets(http),
        Target("no-op throughput, ours vs defaults", 100 * mine / defaults, "%", ">=", 90),
        Target("worker start to first job", first_job, " s", "<=", 1.5),
    ]
    print(table("targets", ["figure", "measured", "target", ""], [t.row() for t in targets]))
    args.output.mkdir(parents=True, exist_ok=True)
    drawn = plot(http, args.output / "results.png")
    print(f"plot: {args.output / 'results.png' if drawn else 'none (no matplotlib here)'}")
    if args.keep_logs:
        print(f"process logs: {logs}")
    else:
        shutil.rmtree(logs, ignore_errors=True)
    if (misses := missed(targets)) and not args.report_only:
        # Judged: a missed target fails the run, as failed requests do.
        raise SystemExit(
            f"bench: {len(misses)} target(s) missed: {', '.join(t.figure.strip() for t in misses)}"
        )
    ignored = f", {len(misses)} missed (--report-only)" if misses else ""
    print(f"bench: {len(targets) - len(misses)} target(s) met{ignored}")


if __name__ == "__main__":
    main()
