"""The private servers that `make test` (and a rendered project's `make dev` and
`make test`) start where none runs: fresh ports, real protocols, nothing left behind."""

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from databases import psql
from durable_jobs.testing import local_servers
from durable_jobs.testing.local_servers import (
    ServerUnavailable,
    answers,
    private_server,
    require_programs,
)
from redis import Redis
from servers import TOOLS

DEFAULT_PORTS = {6379, 5672, 5432}
# The first bytes of an AMQP 0-9-1 connection; the broker answers with Connection.Start.
AMQP_HEADER = b"AMQP\x00\x00\x09\x01"


def speaks_amqp(url: str) -> bool:
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(AMQP_HEADER)
        frame = connection.recv(7)
    # A method frame (type 1) on channel 0: Connection.Start.
    return frame[:3] == b"\x01\x00\x00"


def speaks(kind: str, url: str) -> bool:
    if kind == "redis":
        return bool(Redis.from_url(url, socket_timeout=5).ping())
    if kind == "rabbitmq":
        return speaks_amqp(url)
    return psql("SELECT 41 + 1", url) == "42"


@pytest.mark.parametrize("kind", ["redis", "rabbitmq", "postgresql"])
def test_a_private_server_answers_on_a_fresh_port_and_leaves_nothing_behind(kind: str) -> None:
    with private_server(kind) as server:
        assert urlsplit(server.url).port not in DEFAULT_PORTS
        assert speaks(kind, server.url)
        directory = server.directory
        assert directory.is_dir()
    assert not answers(server.url)
    assert not directory.exists()


def test_missing_programs_are_named_by_their_debian_packages_in_one_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(local_servers, "RABBITMQ_SERVER", str(tmp_path / "rabbitmq-server"))
    monkeypatch.setattr(local_servers, "_postgresql_bin", lambda: None)

    kinds = ["redis", "rabbitmq", "postgresql"]
    with pytest.raises(ServerUnavailable) as rendered_project:  # its make dev and make test
        require_programs(kinds)
    with pytest.raises(ServerUnavailable) as template_suite:
        require_programs(kinds, TOOLS)

    servers = "redis-server rabbitmq-server postgresql"
    assert f"apt-get install {servers}\n" in str(rendered_project.value)
    assert f"apt-get install {servers} postgresql-client iproute2\n" in str(template_suite.value)
