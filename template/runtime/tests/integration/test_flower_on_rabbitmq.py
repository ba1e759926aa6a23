"""Flower's broker page and queue lengths on RabbitMQ, read from its management API
(`FLOWER_BROKER_API`, written in `.env` as the README says): a node of the test's own,
since the plugin is often off."""

import time
from pathlib import Path

import httpx2 as httpx
from conftest import FLOWER_PASSWORD, clean_up, make_settings, start_flower
from fixture_service.jobs.charge import CHARGE
from support.service import SERVICE_JOBS, a_charge, on_rabbitmq

from durable_jobs import JobClient
from durable_jobs._core.queues import routed_queue
from durable_jobs.testing.local_servers import private_server
from durable_jobs.testing.process_supervisor import ProcessSupervisor

pytestmark = on_rabbitmq


def test_flower_reads_queue_lengths_from_rabbitmqs_management_api(
    tmp_path: Path, redis_url: str
) -> None:
    with private_server("rabbitmq", management=True) as rabbitmq:
        assert rabbitmq.management_url
        settings = make_settings(tmp_path).model_copy(update={"broker_url": rabbitmq.url})
        client = JobClient(settings, SERVICE_JOBS)
        supervisor = ProcessSupervisor(tmp_path / "logs")
        try:
            for _ in range(2):
                client.publish(CHARGE, a_charge("flower"))
            # No worker runs: Flower lists the app's own queues, with what waits there.
            # Only in `.env`: Flower itself reads only its environment.
            folder = tmp_path / "service"
            folder.mkdir()
            (folder / ".env").write_text(f"FLOWER_BROKER_API={rabbitmq.management_url}\n")
            url = start_flower(supervisor, settings, cwd=folder)
            auth = (settings.flower_user, FLOWER_PASSWORD)
            queue = f"{settings.queue_prefix}{routed_queue(settings, CHARGE.queue)}"
            lengths: dict[str, int | None] = {}
            deadline = time.monotonic() + 15
            while lengths.get(queue) != 2 and time.monotonic() < deadline:
                time.sleep(0.5)
                answer = httpx.get(f"{url}/api/queues/length", auth=auth, timeout=10)
                assert answer.status_code == 200, answer.text
                # A queue's figures appear once the node has collected its statistics.
                lengths = {q["name"]: q.get("messages") for q in answer.json()["active_queues"]}
            assert lengths.get(queue) == 2, lengths
            page = httpx.get(f"{url}/broker", auth=auth, timeout=10)
            assert page.status_code == 200
            assert queue in page.text
        finally:
            supervisor.stop_all()
            client.close()
            clean_up(settings)
