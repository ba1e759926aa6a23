"""A worker whose metrics port is taken says so at start, naming the port and its
variable, and runs its jobs without metrics: jobs matter more than their metrics."""

import socket

from conftest import start_worker
from fixture_service.jobs.charge import CHARGE
from fixture_service.settings import Settings
from support.service import SERVICE_JOBS, a_charge

from durable_jobs import JobClient
from durable_jobs._core.status import JobStatusReader
from durable_jobs.testing.process_supervisor import ProcessSupervisor


def test_a_taken_metrics_port_is_logged_and_jobs_still_run(
    supervisor: ProcessSupervisor, settings: Settings
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        worker = start_worker(supervisor, settings, metrics_port=port)

        said = f"worker metrics not served on port {port} (WORKER_METRICS_PORT)"
        worker.wait_until(lambda w: said in w.output(), 20, "saying its metrics are off")
        client = JobClient(settings, SERVICE_JOBS)
        job_id = client.publish(CHARGE, a_charge("metrics-port")).id
        reader = JobStatusReader(client.celery, client.records)

        def succeeded(_: object) -> bool:
            status = reader.read(job_id)
            return status is not None and status.state == "SUCCESS"

        worker.wait_until(succeeded, 20, "running a job without metrics")
        client.close()
