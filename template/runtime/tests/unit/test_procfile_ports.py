"""`make dev` checks the ports its processes will listen on before it starts them."""

import socket

from durable_jobs.testing.ports import PlannedPort, busy_port_message, holder, planned_ports

COMMANDS = {
    "api": "uvicorn app --host 127.0.0.1 --port ${API_PORT:-8000}",
    "worker": "WORKER_METRICS_PORT=${WORKER_METRICS_PORT-9101} python -m svc.worker",
    "beat": "celery --app svc.worker.beat beat",
}


def test_ports_are_expanded_as_the_shell_expands_them() -> None:
    assert planned_ports(COMMANDS, {}) == [
        PlannedPort("api", "API_PORT", 8000),
        PlannedPort("worker", "WORKER_METRICS_PORT", 9101),
    ]
    # `:-`: empty means the default; `-`: empty means no port (metrics off).
    assert planned_ports(COMMANDS, {"API_PORT": "", "WORKER_METRICS_PORT": ""}) == [
        PlannedPort("api", "API_PORT", 8000)
    ]
    assert planned_ports(COMMANDS, {"API_PORT": "8100"})[0].port == 8100


def test_a_busy_port_is_named_with_its_variable_and_its_holder() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        message = busy_port_message(planned_ports(COMMANDS, {"API_PORT": str(port)}))

        assert holder(port) is not None
    assert message is not None
    assert message.startswith(f"port {port} (API_PORT, for api) is in use by pid ")
    assert message.endswith("stop that, or set API_PORT to a free port in .env")


def test_free_ports_pass() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert busy_port_message([PlannedPort("api", "API_PORT", port)]) is None
