"""The HTTP figures: the bench service's enqueue endpoint and the baselines under load
(wrk), taking turns; on RabbitMQ the confirmed paths again on a private 3-node cluster,
on Redis the enqueue endpoint with and without replica acknowledgement."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

from http_load import Load, wrk
from isolation import delete_run, fresh_settings, run_env
from loop_lag_scrape import loop_lag_p99

from durable_jobs.testing.local_servers import private_rabbitmq_cluster, private_redis_with_replicas
from durable_jobs.testing.process_supervisor import ProcessSupervisor, free_port, http_ok

Figures = dict[str, tuple[Load, float | None]]

# The runtime's app with the bench's own job and route (bench_service/), as a service's
# Procfile starts its API.
API = [
    "uvicorn",
    "--factory",
    "bench_service.api:create_app",
    "--http",
    "durable_jobs.web:HttpProtocol",
    "--no-access-log",
]
BASELINE = ["uvicorn", "--factory", "baseline_app:create_app", "--no-access-log"]
ENQUEUED = {"rows": 1, "label": "bench"}
CLUSTER = "3-node cluster"  # the label of the rows measured on one (cluster_figures)

# The baseline app's endpoints (baseline_app.py), by the name their rows carry.
BASELINES = {"bare": "/bare", "naive .delay()": "/naive"}
CONFIRMED_BASELINES = {
    "naive .delay(), confirms": "/naive-confirmed",
    "naive .delay(), confirms, quorum queue": "/naive-quorum",
}


def serve(supervisor: ProcessSupervisor, argv: list[str], env: dict[str, str], cwd: Path) -> str:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor.start(
        f"{argv[2]}-{port}",
        [*argv, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=cwd,
        ready=http_ok(f"{url}/metrics"),
        timeout=30,
    )
    return url


def median_run(runs: list[tuple[Load, float | None]]) -> tuple[Load, float | None]:
    ranked = sorted(runs, key=lambda run: run[0].requests_per_second)
    return ranked[len(ranked) // 2]


def http_figures(
    duration: int,
    rounds: int,
    logs: Path,
    cwd: Path,
    *,
    baselines: dict[str, str],
    label: str = "",
    **env: str,
) -> Figures:
    """Each endpoint under load `rounds` times, taking turns, so drift on a shared
    machine hits them all alike; the round with the median throughput counts. `env`
    points both apps elsewhere (another broker); `label` marks the rows."""
    settings = fresh_settings()
    supervisor = ProcessSupervisor(logs)
    runs: dict[str, list[tuple[Load, float | None]]] = {}
    try:
        baseline = serve(supervisor, BASELINE, run_env(settings, **env), cwd)
        api = serve(supervisor, API, run_env(settings, **env), cwd)
        targets = {name: f"{baseline}{path}" for name, path in baselines.items()}
        targets["service enqueue"] = f"{api}/targets"
        for _ in range(rounds):
            for name, url in targets.items():
                body = ENQUEUED if name == "service enqueue" else {}
                if name == "bare":
                    runs.setdefault(name, []).append((wrk(url, body, duration=duration), None))
                    continue
                with loop_lag_p99(url.rsplit("/", 1)[0]) as lag:
                    load = wrk(url, body, duration=duration)
                runs.setdefault(f"{name}{label}", []).append((load, lag.value))
        return {name: median_run(each) for name, each in runs.items()}
    finally:
        supervisor.stop_all()
        delete_run(settings)


def cluster_figures(duration: int, rounds: int, logs: Path, cwd: Path) -> Figures:
    """The confirmed paths again on a private 3-node RabbitMQ cluster: the service's
    quorum queues, and the naive pattern's, keep a replica on every node and confirm a
    message once two of them wrote it."""
    with private_rabbitmq_cluster(3) as nodes:
        return http_figures(
            duration,
            rounds,
            logs,
            cwd,
            baselines=CONFIRMED_BASELINES,
            label=f", {CLUSTER}",
            BROKER_URL=";".join(node.url for node in nodes),
        )


def replica_ack_figures(duration: int, rounds: int, logs: Path, cwd: Path) -> Figures:
    """The cost of REDIS_REPLICA_ACKS: the enqueue endpoint on a private Redis with one
    replica, without and with waiting for it, taking turns."""
    settings = fresh_settings()
    supervisor = ProcessSupervisor(logs)
    runs: dict[str, list[tuple[Load, float | None]]] = {}
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        master = stack.enter_context(private_redis_with_replicas(folder)).master
        stack.callback(supervisor.stop_all)
        apis = {
            acks: serve(
                supervisor,
                API,
                run_env(settings, REDIS_URL=master.url, BROKER_URL="", REDIS_REPLICA_ACKS=acks),
                cwd,
            )
            for acks in ("0", "1")
        }
        for _ in range(rounds):
            for acks, api in apis.items():
                with loop_lag_p99(api) as lag:
                    load = wrk(f"{api}/targets", ENQUEUED, duration=duration)
                runs.setdefault(f"service enqueue, replica acks {acks}", []).append(
                    (load, lag.value)
                )
    return {name: median_run(each) for name, each in runs.items()}


def failed_endpoints(http: Figures) -> list[str]:
    """The endpoints whose median round answered anything but 2xx, or nothing at all."""
    return [
        f"{name} ({load.non_2xx} non-2xx)"
        for name, (load, _) in http.items()
        if load.non_2xx or not load.requests_per_second
    ]
