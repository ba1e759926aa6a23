"""Private Redis, RabbitMQ and PostgreSQL servers on free loopback ports, each in a
folder of its own, for tests and `make dev` on a machine where none is running.

A private server writes nothing outside its folder and is stopped (folder and all)
when its context ends, so a developer's own servers never see test data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from redis import Redis

from .process_supervisor import free_port
from .server_process import (
    START_TIMEOUT,
    ServerUnavailable,
    answers,
    as_service_user,
    running,
)
from .tcp_proxy import TcpProxy

__all__ = [
    "LocalServer",
    "ServerUnavailable",
    "answers",
    "missing_programs",
    "port_of",
    "private_rabbitmq_cluster",
    "private_redis_sentinel",
    "private_redis_with_replicas",
    "private_server",
    "rabbitmqctl",
    "require_programs",
]

# What to install when a server's programs are missing (Debian package names).
PACKAGES = {"redis": "redis-server", "rabbitmq": "rabbitmq-server", "postgresql": "postgresql"}
RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"


@dataclass(frozen=True)
class LocalServer:
    kind: str
    url: str
    directory: Path
    # RabbitMQ's management API, when the node was started with it.
    management_url: str | None = None
    # RabbitMQ's node name (for rabbitmqctl -n).
    node: str | None = None
    # The server's process group (`os.killpg(pid, SIGKILL)` kills it like a crash).
    pid: int | None = None

    def kill(self) -> None:
        """SIGKILL the server, as a machine or container dying would."""
        assert self.pid is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)


def _postgresql_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_programs(kinds: Sequence[str]) -> list[str]:
    """The Debian packages to install before `kinds` can be started here."""
    present = {
        "redis": shutil.which("redis-server") is not None,
        "rabbitmq": Path(RABBITMQ_SERVER).exists() or shutil.which("rabbitmq-server") is not None,
        "postgresql": _postgresql_bin() is not None,
    }
    return [PACKAGES[kind] for kind in kinds if not present[kind]]


def require_programs(kinds: Sequence[str], tools: Mapping[str, str] | None = None) -> None:
    """Stop at once, with one line to run, when the programs of `kinds` or any of
    `tools` (program: Debian package) are missing."""
    missing = missing_programs(kinds)
    missing += [package for tool, package in (tools or {}).items() if not shutil.which(tool)]
    if missing:
        raise ServerUnavailable(
            "Programs this machine lacks are needed. Install them with\n"
            f"  sudo apt-get install {' '.join(missing)}\n"
            "(servers need not run: a private instance is started on a free port), or point "
            "the documented variables at servers that do run."
        )


@contextmanager
def private_redis(directory: Path, *options: str) -> Iterator[LocalServer]:
    """A Redis of its own port and folder; `options` are redis-server's own
    (`--replicaof 127.0.0.1 <port>` for a replica)."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""]
    argv += ["--appendonly", "no", "--dir", str(directory), *options]
    with running(argv, directory, url) as process:
        yield LocalServer("redis", url, directory, pid=process.pid)


@dataclass(frozen=True)
class SentinelGroup:
    master: LocalServer
    replicas: list[LocalServer]
    sentinels: list[LocalServer]
    master_name: str

    @property
    def url(self) -> str:
        """kombu's and Celery's form: every Sentinel, `;`-separated, database 0."""
        return ";".join(f"sentinel://127.0.0.1:{port_of(s.url)}/0" for s in self.sentinels)


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", maxsplit=1)[0])


@dataclass(frozen=True)
class ReplicatedRedis:
    master: LocalServer
    replicas: list[LocalServer]


@contextmanager
def private_redis_with_replicas(
    directory: Path, replicas: int = 1, link_delay: float = 0.0
) -> Iterator[ReplicatedRedis]:
    """A Redis master and `replicas` replicas, in folders under `directory`; entered
    once every replica is online (done with its first sync, so WAIT counts it). The
    master starts a replica's sync at once (not after 5 s) and does not wait for a
    lagging replica when it stops (10 s). With `link_delay`, each replica reads the
    master through a link that slow (`tcp_proxy.py`), slowed once the replica is in
    sync (a first sync takes many round trips): what is on it when the master dies is
    lost."""
    with contextlib.ExitStack() as stack:
        for name in ["master", *(f"replica{index}" for index in range(replicas))]:
            (directory / name).mkdir()
        options = ("--repl-diskless-sync-delay", "0", "--shutdown-timeout", "0")
        master = stack.enter_context(private_redis(directory / "master", *options))
        links, copies = [], []
        for index in range(replicas):
            port = port_of(master.url)
            if link_delay:
                link = TcpProxy(port, delay=0.001).start()  # delayed from the start
                stack.callback(link.cut)
                links.append(link)
                port = link.port
            replica_of = ("--replicaof", "127.0.0.1", str(port))
            replica = private_redis(directory / f"replica{index}", *replica_of)
            copies.append(stack.enter_context(replica))
        deadline = time.monotonic() + START_TIMEOUT
        while not replicas_online(master.url, replicas):
            if time.monotonic() > deadline:
                raise ServerUnavailable(f"the replicas in {directory} never synced")
            time.sleep(0.05)
        for link in links:
            link.delay = link_delay
        yield ReplicatedRedis(master, copies)


@contextmanager
def private_redis_sentinel(
    replicas: int = 2,
    master_name: str = "mymaster",
    down_after_ms: int = 1000,
    replication_delay: float = 0.0,
) -> Iterator[SentinelGroup]:
    """A Redis master, its replicas and three Sentinels watching them (quorum 2), on
    loopback ports, in a new temporary folder removed afterwards. The Sentinels
    promote a replica `down_after_ms` after the master stops answering. Two replicas
    by default: after a failover one is left to acknowledge writes (REDIS_REPLICA_ACKS).
    `replication_delay`: as `link_delay` of `private_redis_with_replicas`."""
    require_programs(["redis"])
    directory = Path(tempfile.mkdtemp(prefix="private-redis-sentinel-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        redis = stack.enter_context(
            private_redis_with_replicas(directory, replicas, replication_delay)
        )
        master_port = port_of(redis.master.url)
        sentinels = []
        for name in ("s0", "s1", "s2"):
            folder = directory / name
            folder.mkdir()
            port = free_port()
            config = folder / "sentinel.conf"  # Sentinel rewrites it: its own
            config.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {folder}\n"
                f"sentinel monitor {master_name} 127.0.0.1 {master_port} 2\n"
                f"sentinel down-after-milliseconds {master_name} {down_after_ms}\n"
                f"sentinel failover-timeout {master_name} 10000\n"
            )
            url = f"redis://127.0.0.1:{port}/0"
            argv = ["redis-server", str(config), "--sentinel"]
            process = stack.enter_context(running(argv, folder, url))
            sentinels.append(LocalServer("redis-sentinel", url, folder, pid=process.pid))
        group = SentinelGroup(redis.master, redis.replicas, sentinels, master_name)
        _wait_until_watched(group)
        yield group


def replicas_online(master_url: str, count: int) -> bool:
    """Whether the Redis at `master_url` has `count` replicas done with their first
    full sync (so WAIT can count them)."""
    with Redis.from_url(master_url) as master:
        info = master.info("replication")
    states = [(info.get(f"slave{index}") or {}).get("state") for index in range(count)]
    return states == ["online"] * count


def _wait_until_watched(group: SentinelGroup) -> None:
    """Until the replicas are in sync and every Sentinel knows them and the two other
    Sentinels (they find each other through the master, every 2 s): only then can a
    master's death be agreed on and a replica promoted."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        synced = replicas_online(group.master.url, len(group.replicas))
        known = []
        for sentinel in group.sentinels:
            with Redis.from_url(sentinel.url) as client:
                state = client.sentinel_master(group.master_name)
                replicas_known = state["num-slaves"] >= len(group.replicas)
                known.append(state["num-other-sentinels"] == 2 and replicas_known)
        if synced and all(known):
            return
        time.sleep(0.2)
    raise ServerUnavailable(f"Sentinels did not see master, replica and each other: {group}")


@contextmanager
def private_rabbitmq(
    directory: Path, management: bool = False, wait: bool = True
) -> Iterator[LocalServer]:
    """A RabbitMQ node of its own name, ports and folders; the machine's rabbitmq.conf
    pins the default listener, so the node gets a configuration file of its own. With
    `management`, also its HTTP API (what Flower's broker page reads). Without `wait`,
    the node is still starting when the context is entered."""
    port, dist_port = free_port(), free_port()
    url = f"amqp://guest:guest@127.0.0.1:{port}//"
    node = f"test-{port}@localhost"
    config = f"listeners.tcp.local = 127.0.0.1:{port}\nloopback_users.guest = true\n"
    management_url = None
    if management:
        http_port = free_port()
        management_url = f"http://guest:guest@127.0.0.1:{http_port}/api/"
        config += f"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = {http_port}\n"
        config += "collect_statistics_interval = 500\n"  # queue lengths fresh within 0.5 s
    (directory / "rabbitmq.conf").write_text(config)
    plugins = "[rabbitmq_management]" if management else "[]"
    (directory / "enabled_plugins").write_text(f"{plugins}.\n")
    env = {
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "RABBITMQ_CONFIG_FILE": str(directory / "rabbitmq.conf"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(directory / "enabled_plugins"),
        "RABBITMQ_MNESIA_BASE": str(directory / "mnesia"),
        "RABBITMQ_LOG_BASE": str(directory / "log"),
        "RABBITMQ_PID_FILE": str(directory / "rabbitmq.pid"),
        "RABBITMQ_LOGS": "-",
    }
    server = RABBITMQ_SERVER if Path(RABBITMQ_SERVER).exists() else "rabbitmq-server"
    argv = [*as_service_user("rabbitmq", directory), server]

    def ready() -> bool:
        if not wait:
            return True
        return answers(url, timeout=0.5) and (not management_url or answers(management_url))

    with running(argv, directory, url, env, ready=ready) as process:
        yield LocalServer("rabbitmq", url, directory, management_url, node, process.pid)


def rabbitmqctl(node: LocalServer, *args: str) -> str:
    """rabbitmqctl against `node`, as the user its server runs as (their Erlang cookie)."""
    assert node.node is not None
    argv = [*as_service_user("rabbitmq", node.directory), "rabbitmqctl", "-q", "-n", node.node]
    done = subprocess.run([*argv, *args], capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        raise ServerUnavailable(f"rabbitmqctl {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


@contextmanager
def private_rabbitmq_cluster(size: int = 3) -> Iterator[list[LocalServer]]:
    """`size` RabbitMQ nodes on loopback ports joined into one cluster (started side by
    side, then each joins the first), in a new temporary folder removed afterwards;
    quorum queues declared on it have a replica on every node."""
    require_programs(["rabbitmq"])
    directory = Path(tempfile.mkdtemp(prefix="private-rabbitmq-cluster-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        folders = [directory / f"node-{index}" for index in range(size)]
        for folder in folders:
            folder.mkdir()
        as_service_user("rabbitmq", directory)  # the nodes' user reaches their folders
        # Started side by side from this thread (a server stops with the thread that
        # started it), then awaited together: one node's start-up time, not three.
        nodes = [stack.enter_context(private_rabbitmq(folder, wait=False)) for folder in folders]
        deadline = time.monotonic() + START_TIMEOUT
        while not all(answers(node.url, timeout=0.5) for node in nodes):
            if time.monotonic() > deadline:
                raise ServerUnavailable(f"RabbitMQ nodes did not start: {folders}")
            time.sleep(0.2)
        for node in nodes[1:]:
            rabbitmqctl(node, "stop_app")
            rabbitmqctl(node, "join_cluster", str(nodes[0].node))
            rabbitmqctl(node, "start_app")
            rabbitmqctl(node, "await_startup")
        yield nodes


@contextmanager
def private_postgresql(directory: Path) -> Iterator[LocalServer]:
    """A throwaway cluster: user postgres, trusted on loopback, no fsync (nothing in it
    needs to survive a crash of the machine)."""
    programs = _postgresql_bin()
    assert programs is not None, "require_programs(['postgresql']) first"
    port = free_port()
    data = directory / "data"
    data.mkdir()
    run_as = as_service_user("postgres", directory)
    subprocess.run(
        [*run_as, str(programs / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    argv = [*run_as, str(programs / "postgres"), "-D", str(data), "-p", str(port)]
    argv += ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={directory}"]
    argv += ["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=300"]
    # The form the service's settings take (SQLAlchemy with psycopg 3).
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    # The port opens before the server takes queries; pg_isready knows the difference.
    takes_queries = [str(programs / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
    with running(argv, directory, url, ready=lambda: _succeeds(takes_queries)):
        yield LocalServer("postgresql", url, directory)


def _succeeds(argv: list[str]) -> bool:
    return subprocess.run(argv, check=False, timeout=10).returncode == 0


STARTERS: dict[str, Callable[..., AbstractContextManager[LocalServer]]] = {
    "redis": private_redis,
    "rabbitmq": private_rabbitmq,
    "postgresql": private_postgresql,
}


@contextmanager
def private_server(kind: str, **options: bool) -> Iterator[LocalServer]:
    """One private server of `kind` in a new temporary folder, removed afterwards;
    `options` go to its starter (`management=True` for RabbitMQ)."""
    require_programs([kind])
    directory = Path(tempfile.mkdtemp(prefix=f"private-{kind}-"))
    try:
        with STARTERS[kind](directory, **options) as server:
            yield server
    finally:
        shutil.rmtree(directory, ignore_errors=True)
