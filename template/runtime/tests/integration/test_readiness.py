"""/readyz asks the broker and the job store, but callers hammering it cost at most one
round of checks a second: it once opened a broker connection per call (1,500 calls,
about 1,500 connections)."""

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from fixture_service.api.app import create_app
from fixture_service.settings import Settings

from durable_jobs.testing.tcp_proxy import TcpProxy

CALLS = 300


def through(url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{proxy.port}")).geturl()


def test_many_readiness_calls_share_a_few_broker_connections(settings: Settings) -> None:
    broker = settings.effective_broker_url
    proxy = TcpProxy(urlsplit(broker).port or 0).start()
    field = "broker_url" if settings.broker_url else "redis_url"
    proxied = settings.model_copy(update={field: through(broker, proxy)})
    try:
        with TestClient(create_app(proxied)) as client:
            answers = [client.get("/readyz") for _ in range(CALLS)]
    finally:
        proxy.cut()

    assert {a.status_code for a in answers} == {200}
    assert answers[-1].json()["broker"] == "ok"
    # The app's own connections (its publisher, the store's pool) and one probe a
    # second, whatever the number of calls.
    assert proxy.accepted < 20, f"{proxy.accepted} connections for {CALLS} probes"
