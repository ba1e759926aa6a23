"""Testing and development tools of durable_jobs services: the servers a service needs
(found or started privately), its processes started exactly as its Procfile says, its
routes with enqueueing recorded instead of sent, and waiting for a job as a client
would. A service's own tests import them from here.

    python -m durable_jobs.testing.with_servers SETTINGS [--for-tests] COMMAND...
    python -m durable_jobs.testing.update_leftovers [DIRECTORY]

Waiting for jobs (`wait_for_final`) needs the `testing` extra (pytest, httpx2); a
database of a run's own (`durable_jobs.testing.databases.own_database`), the
`database` extra.
"""

from .added_jobs import add_jobs
from .environment import servers_in_environment, service_env
from .local_servers import LocalServer, private_server
from .polling import wait_for_final
from .process_supervisor import ManagedProcess, ProcessSupervisor, free_port, http_ok, log_matches
from .procfile import procfile_argv, procfile_commands
from .recording_jobs import RecordingJobs, SentJob, record_jobs
from .server_process import ServerUnavailable
from .servers import DEFAULT_TEST_DATABASE_SERVER, needs, provided
from .service_state import remove_service_state

__all__ = [
    "DEFAULT_TEST_DATABASE_SERVER",
    "LocalServer",
    "ManagedProcess",
    "ProcessSupervisor",
    "RecordingJobs",
    "SentJob",
    "ServerUnavailable",
    "add_jobs",
    "free_port",
    "http_ok",
    "log_matches",
    "needs",
    "private_server",
    "procfile_argv",
    "procfile_commands",
    "provided",
    "record_jobs",
    "remove_service_state",
    "servers_in_environment",
    "service_env",
    "wait_for_final",
]
