"""Docker, compose, Kubernetes and CI files, validated statically (no Docker engine here):
hadolint, the compose-spec and github-workflows schemas, kubernetes-validate, actionlint,
and structural checks of what no offline schema covers (KEDA, kustomize)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    DEFAULT_PACKAGE,
    FULL_RABBITMQ,
    recorded_answers,
    render,
    run,
    starts_a_worker,
)

BIN = Path(sys.executable).parent
K8S = "deploy/kubernetes"
VARIANTS: dict[str, dict[str, Any]] = {
    "redis": {"deploy": "kubernetes"},
    "redis-priority": {"deploy": "kubernetes", "use_priority_queues": True},
    "rabbitmq-all-options": FULL_RABBITMQ,
}
# Seconds a stopping worker's jobs get before they go back to the broker (settings.py).
SOFT_SHUTDOWN = 30
# Servers compose runs beside the service (the Kubernetes base expects your own).
BACKING_SERVICES = {"redis", "rabbitmq", "postgres"}
ASSIGNMENT = re.compile(r"^[A-Z_]+=")
DEFAULTED = re.compile(r"\$\{[A-Z_]+:?-([^}]*)\}")
# Where containers keep what the Procfile puts under var/.
CONTAINER_PATHS = {"PROMETHEUS_MULTIPROC_DIR": "/tmp/metrics"}
# No offline schema: checked structurally below.
NON_CORE_FILES = {"kustomization.yaml", "worker-autoscaling.yaml"}


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp(request.param) / "acme-jobs", **VARIANTS[request.param])


def tool(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / str(args[0])), *map(str, args[1:])],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def compose(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text())
    return loaded


def manifests(project: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) -> resource, for every file of the Kubernetes base."""
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for path in sorted((project / K8S).glob("*.yaml"))
        for doc in documents(path)
        if doc["kind"] != "Kustomization"
    }


def deployments(project: Path) -> dict[str, dict[str, Any]]:
    return {name: d for (kind, name), d in manifests(project).items() if kind == "Deployment"}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return dict(only)


def worker_containers(project: Path) -> dict[str, dict[str, Any]]:
    return {
        name: container(d)
        for name, d in deployments(project).items()
        if starts_a_worker(container(d)["command"])
    }


def procfile(project: Path) -> dict[str, list[str]]:
    lines = (project / "Procfile").read_text().splitlines()
    return {name: shlex.split(command) for name, command in (line.split(": ", 1) for line in lines)}


def seconds(duration: str) -> int:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, f"not a duration in seconds: {duration}"
    return int(match.group(1))


# --- Docker -------------------------------------------------------------------------


def test_dockerfile_passes_hadolint(project: Path) -> None:
    result = tool("hadolint", project / "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def build_steps(dockerfile: str) -> list[tuple[list[str], list[str], str]]:
    """The build stage's `uv sync` steps: (files bind-mounted, files copied before,
    the command), in order."""
    build = dockerfile.split("\nFROM ", 2)[1]
    steps, copied = [], []
    for instruction in re.split(r"\n(?=[A-Z]+ )", build):
        if instruction.startswith("COPY ") and "--from" not in instruction:
            copied += instruction.split()[1:-1]
        elif instruction.startswith("RUN ") and "uv sync" in instruction:
            mounted = re.findall(r"type=bind,source=([^,]+),", instruction)
            command = instruction[instruction.index("uv sync") :].split("\n")[0]
            steps.append((mounted, list(copied), command))
    return steps


@pytest.mark.xdist_group("processes")
def test_the_images_build_steps_install_the_service_and_its_runtime(
    rabbitmq_project: Path, tmp_path: Path
) -> None:
    """Each `uv sync` of the Dockerfile, run as a process with only the files the build
    gives it at that step: the locked dependencies first, then both packages as wheels."""
    context, environment = tmp_path / "context", tmp_path / "venv"
    steps = build_steps((rabbitmq_project / "Dockerfile").read_text())
    assert len(steps) == 2
    for mounted, copied, command in steps:
        for name in [*mounted, *copied]:
            source, target = rabbitmq_project / name, context / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True, ignore=IGNORED_IN_BUILDS)
            else:
                shutil.copy(source, target)
        run(command.split(), context, UV_PROJECT_ENVIRONMENT=str(environment))
    imported = run(
        [str(environment / "bin/python"), "-c", IMPORTS_IN_THE_IMAGE], tmp_path
    ).stdout.split()
    assert imported == [str(environment / "lib"), str(environment / "lib")]


IGNORED_IN_BUILDS = shutil.ignore_patterns(".venv", "__pycache__", "tests", "bench")
# Both from the environment's site-packages: installed, not linked to a source tree.
IMPORTS_IN_THE_IMAGE = (
    "import acme_jobs.api.app, durable_jobs.web, pathlib; "
    "print(*(pathlib.Path(m.__file__).parents[3] for m in (acme_jobs, durable_jobs)))"
)


def test_final_image_is_non_root_has_bytecode_and_no_build_tools(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    build, final = dockerfile.split("\nFROM ", 2)[1:]
    assert "UV_COMPILE_BYTECODE=1" in build
    # Dependencies in a layer of their own, before the code (the runtime's included).
    assert "uv sync --locked --no-dev --no-install-workspace" in build, "dependencies first"
    assert "source=runtime/pyproject.toml" in build, "the runtime takes part in the lock"
    assert re.search(r"^USER 10001", final, re.M)
    assert "HEALTHCHECK" in final
    # Only the environment comes across: no uv, no compiler, no source tree.
    assert re.findall(r"^COPY .*$", final, re.M) == ["COPY --from=build /app/.venv /app/.venv"]
    assert not re.search(r"apt-get|pip install|/uv ", final)
    ignored = (project / ".dockerignore").read_text().splitlines()
    assert {".env", ".env.secrets", ".venv", ".git"} <= set(ignored)


# --- compose ------------------------------------------------------------------------


def test_compose_file_matches_the_compose_spec(project: Path) -> None:
    result = tool(
        "check-jsonschema", "--builtin-schema", "vendor.compose-spec", project / "compose.yaml"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_compose_service_is_health_checked_and_waits_for_healthy_brokers(
    project: Path,
) -> None:
    services = compose(project)["services"]
    # The one-shot migration is the only service that exits; it is waited for instead.
    assert all("healthcheck" in s for name, s in services.items() if name != "migrate")
    brokers = {"redis", "rabbitmq"} & set(services)
    ready = {b: {"condition": "service_healthy"} for b in brokers}
    if "migrate" in services:
        ready["migrate"] = {"condition": "service_completed_successfully"}
        assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
        assert services["migrate"]["restart"] == "no"
    for name, service in services.items():
        if name in BACKING_SERVICES or name == "migrate":
            continue
        assert service["depends_on"] == ready, name
        assert service["env_file"][-1]["path"] == ".env"
    redis = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis
    assert "--maxmemory-policy noeviction" in redis


def test_compose_runs_one_beat_and_lets_workers_finish_their_jobs(project: Path) -> None:
    services = compose(project)["services"]
    workers = {name: s for name, s in services.items() if starts_a_worker(s.get("command", []))}
    priority = recorded_answers(project)["use_priority_queues"]
    assert set(workers) == ({"worker", "worker-low"} if priority else {"worker"})
    for worker in workers.values():
        assert seconds(worker["stop_grace_period"]) > SOFT_SHUTDOWN
        assert worker["environment"]["REMAP_SIGTERM"] == "SIGQUIT"
    if "beat" in services:
        assert services["beat"]["deploy"]["replicas"] == 1


def test_compose_commands_are_the_procfile_commands(project: Path) -> None:
    services = compose(project)["services"]
    for name, argv in procfile(project).items():
        # `${NAME-default}` in the Procfile: the default is what a container gets.
        argv = [DEFAULTED.sub(r"\1", arg) for arg in argv]
        assignments = dict(arg.split("=", 1) for arg in argv if ASSIGNMENT.match(arg))
        command = [arg for arg in argv if not ASSIGNMENT.match(arg)]
        service = services[name.replace("_", "-")]
        # Inside a container: every interface.
        local = [arg.replace("127.0.0.1", "0.0.0.0") for arg in command]
        assert service["command"] == local, name
        for key, value in assignments.items():
            expected = CONTAINER_PATHS.get(key, value)
            assert service["environment"][key] == expected, (name, key)


# --- Kubernetes ---------------------------------------------------------------------


def test_kubernetes_manifests_pass_kubernetes_validate(project: Path) -> None:
    files = [p for p in (project / K8S).glob("*.yaml") if p.name not in NON_CORE_FILES]
    result = tool("kubernetes-validate", "--strict", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout.lower(), result.stdout


def test_kustomization_lists_every_manifest_and_its_config(project: Path) -> None:
    kustomization = yaml.safe_load((project / K8S / "kustomization.yaml").read_text())
    files = {p.name for p in (project / K8S).glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files
    for generator in kustomization["configMapGenerator"]:
        assert all((project / K8S / env).is_file() for env in generator["envs"])


def test_deployments_run_the_compose_commands_safely(project: Path) -> None:
    services = compose(project)["services"]
    found = deployments(project)
    assert set(found) == set(services) - BACKING_SERVICES - {"migrate"}
    if "migrate" in services:
        [migrate] = found["api"]["spec"]["template"]["spec"]["initContainers"]
        assert migrate["command"] == services["migrate"]["command"]
        assert migrate["securityContext"]["readOnlyRootFilesystem"] is True
    for name, deployment in found.items():
        pod = deployment["spec"]["template"]["spec"]
        main = container(deployment)
        assert main["command"] == services[name]["command"], name
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["automountServiceAccountToken"] is False, name
        assert main["securityContext"]["readOnlyRootFilesystem"] is True
        assert "requests" in main["resources"]
        assert "livenessProbe" in main, name
        if starts_a_worker(main["command"]):
            assert pod["terminationGracePeriodSeconds"] > SOFT_SHUTDOWN
            env = {e["name"]: e["value"] for e in main["env"]}
            assert env["REMAP_SIGTERM"] == "SIGQUIT"
            queues = services[name]["environment"].get("WORKER_QUEUES", "")
            assert env.get("WORKER_QUEUES", "") == queues
    assert container(found["api"])["readinessProbe"]["httpGet"]["path"] == "/readyz"
    if "beat" in found:
        assert found["beat"]["spec"]["replicas"] == 1
        assert found["beat"]["spec"]["strategy"]["type"] == "Recreate"


def pod_labels(project: Path, deployment: dict[str, Any]) -> dict[str, str]:
    """The labels a Deployment's pods get: its template's, and the kustomization's
    where it puts them on templates too (`includeTemplates`)."""
    labels = dict(deployment["spec"]["template"]["metadata"]["labels"])
    kustomization = yaml.safe_load((project / K8S / "kustomization.yaml").read_text())
    for entry in kustomization.get("labels", []):
        if entry.get("includeTemplates"):
            labels.update(entry["pairs"])
    return labels


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector, as Kubernetes evaluates matchLabels and `In` expressions."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def reachable(project: Path, labels: dict[str, str]) -> dict[int, set[str]] | None:
    """Who may connect to a pod with `labels`, by port, under the base's policies: None
    when no policy selects it (everyone may, on any port), else port -> the sources
    ("anywhere", "namespace:<name>", "pods:<label>=<value>")."""
    policies = [d for (kind, _), d in manifests(project).items() if kind == "NetworkPolicy"]
    chosen = [p for p in policies if selects(p["spec"]["podSelector"], labels)]
    if not chosen:
        return None
    allowed: dict[int, set[str]] = {}
    for policy in chosen:
        assert policy["spec"]["policyTypes"] == ["Ingress"]
        for rule in policy["spec"].get("ingress", []):
            sources = set()
            for peer in rule.get("from", [{}]):
                if "namespaceSelector" in peer:
                    sources.add(
                        "namespace:"
                        + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    )
                elif "podSelector" in peer:
                    [(key, value)] = peer["podSelector"]["matchLabels"].items()
                    sources.add(f"pods:{key}={value}")
                else:
                    sources.add("anywhere")
            for port in rule["ports"]:
                allowed.setdefault(port["port"], set()).update(sources)
    return allowed


def test_network_policies_let_each_pod_be_reached_only_where_it_serves(project: Path) -> None:
    """Default deny; the API's port from anywhere; metrics (and Flower) only from the
    monitoring namespace; Beat from nowhere; the brokers only from the service's pods."""
    expected_ports = {"worker": 9101, "worker-low": 9102, "relay": 9103, "flower": 5555}
    for name, deployment in deployments(project).items():
        allowed = reachable(project, pod_labels(project, deployment))
        assert allowed is not None, f"no network policy selects the {name} pods"
        if name == "api":
            assert allowed == {8000: {"anywhere"}}
        elif name == "beat":
            assert allowed == {}
        else:
            assert allowed == {expected_ports[name]: {"namespace:monitoring"}}, name
        served = {p["containerPort"] for p in container(deployment).get("ports", [])}
        assert served == set(allowed), name
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    service_pods = {f"pods:app.kubernetes.io/part-of={answers['project_slug']}"}
    ports = {6379, 5672} if answers["broker"] == "rabbitmq" else {6379}
    for broker in ("redis", "rabbitmq") if answers["broker"] == "rabbitmq" else ("redis",):
        allowed = reachable(project, {"app.kubernetes.io/name": broker})
        assert allowed == dict.fromkeys(ports, service_pods), broker


def test_the_image_tag_is_pinned(project: Path) -> None:
    kustomization = yaml.safe_load((project / K8S / "kustomization.yaml").read_text())
    [image] = kustomization["images"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", image["newTag"]), image


def test_disruption_budgets_cover_api_and_workers_but_not_beat(project: Path) -> None:
    budgets = {name for kind, name in manifests(project) if kind == "PodDisruptionBudget"}
    assert budgets == {"api", *worker_containers(project)}


def test_every_worker_autoscales_on_exactly_the_queues_it_consumes(
    project: Path, default_project: Path
) -> None:
    resources = manifests(project)
    workers = worker_containers(project)
    scaled = {name: s for (kind, name), s in resources.items() if kind == "ScaledObject"}
    assert set(scaled) == set(workers)
    redis_lists = kombu_redis_lists(default_project)
    for name, scaled_object in scaled.items():
        assert scaled_object["apiVersion"] == "keda.sh/v1alpha1"
        spec = scaled_object["spec"]
        assert spec["scaleTargetRef"]["name"] == name
        assert 1 <= spec["minReplicaCount"] < spec["maxReplicaCount"]
        env = {e["name"]: e["value"] for e in workers[name].get("env", [])}
        queues = env.get("WORKER_QUEUES", "default").split(",")
        triggers = spec["triggers"]
        # The formula adds every trigger: the lists of one worker count together.
        names = [trigger["name"] for trigger in triggers]
        formula = spec["advanced"]["scalingModifiers"]["formula"]
        assert sorted(formula.split(" + ")) == sorted(names)
        if triggers[0]["type"] == "rabbitmq":
            assert sorted(t["metadata"]["queueName"] for t in triggers) == sorted(queues)
            auth = {t["authenticationRef"]["name"] for t in triggers}
            assert auth <= {n for kind, n in resources if kind == "TriggerAuthentication"}
        else:
            watched = sorted(t["metadata"]["listName"] for t in triggers)
            assert watched == sorted(lst for q in queues for lst in redis_lists(q))


def kombu_redis_lists(project: Path) -> Any:
    """The Redis lists kombu really writes for a queue, asked of the rendered project."""
    script = (
        "import json; from kombu.transport.redis import Channel; "
        "from durable_jobs._core.broker_options import REDIS_PRIORITY_STEPS; "
        f"from {DEFAULT_PACKAGE}.settings import Settings; "
        "print(json.dumps([Settings().key_prefix, Channel.sep, REDIS_PRIORITY_STEPS]))"
    )
    out = run(["uv", "run", "--frozen", "python", "-c", script], project).stdout
    prefix, sep, steps = json.loads(out)

    def lists(queue: str) -> list[str]:
        return [f"{prefix}{queue}{sep}{step}" if step else f"{prefix}{queue}" for step in steps]

    return lists


# --- CI -----------------------------------------------------------------------------


def test_workflow_passes_actionlint_and_the_workflow_schema(project: Path) -> None:
    workflow = project / ".github/workflows/ci.yml"
    result = tool("actionlint", "-no-color", workflow)
    assert result.returncode == 0, result.stdout + result.stderr
    result = tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_lint_and_tests_against_the_brokers_and_builds_the_image(
    project: Path,
) -> None:
    jobs = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())["jobs"]
    steps = " ".join(step.get("run", "") for step in jobs["checks"]["steps"])
    targets = ("lint", "audit", "test", "test-resilience", "test-runtime", "test-runtime-failover")
    assert all(f"make {target}" in steps for target in targets)
    backing = BACKING_SERVICES & set(compose(project)["services"])
    assert set(jobs["checks"]["services"]) == backing
    assert "image" in jobs


def test_without_docker_the_workflow_builds_no_image(tmp_path: Path) -> None:
    project = render(tmp_path / "acme-jobs", use_docker=False)
    assert not (project / "Dockerfile").exists()
    workflow = project / ".github/workflows/ci.yml"
    assert tool("actionlint", "-no-color", workflow).returncode == 0
    assert "image" not in yaml.safe_load(workflow.read_text())["jobs"]


@pytest.mark.parametrize(
    ("path", "good", "bad", "command"),
    [
        ("Dockerfile", "USER 10001:10001", "USER root", ["hadolint"]),
        (
            "compose.yaml",
            "stop_grace_period: 45s",
            "stop_grace_periods: 45s",
            ["check-jsonschema", "--builtin-schema", "vendor.compose-spec"],
        ),
        (f"{K8S}/beat.yaml", "replicas: 1", "replicas: one", ["kubernetes-validate", "--strict"]),
        (".github/workflows/ci.yml", "runs-on: ubuntu-latest", "runs-onn: x", ["actionlint"]),
    ],
)
def test_each_validator_rejects_a_broken_file(
    tmp_path: Path, path: str, good: str, bad: str, command: list[str]
) -> None:
    project = render(tmp_path / "acme-jobs", **FULL_RABBITMQ)
    target = project / path
    assert tool(*command, target).returncode == 0
    target.write_text(target.read_text().replace(good, bad, 1))
    assert tool(*command, target).returncode != 0
