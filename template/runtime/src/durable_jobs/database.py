"""The runtime's face for services with a database (DATABASE_URL; the `database`
extra): the transactional outbox (`stage`, its relay and its table) and the engine and
sessions of the worker's side."""

from ._core.database import sync_engine, sync_sessions
from ._core.outbox import OUTBOX_METADATA, stage
from ._core.relay import run_relay

__all__ = ["OUTBOX_METADATA", "run_relay", "stage", "sync_engine", "sync_sessions"]
