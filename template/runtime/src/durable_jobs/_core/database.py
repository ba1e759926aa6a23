"""One engine per process, sessions per request or task.

Timeouts are short on purpose: a database that does not answer must turn into a 503
(API) or a retry (worker) within seconds, never a request that hangs.
"""

import math
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, sessionmaker

from .settings import RuntimeSettings


def _options(settings: RuntimeSettings) -> dict[str, Any]:
    return {
        "pool_size": settings.database_pool_size,
        "max_overflow": settings.database_pool_size,
        # Waiting longer for a pooled connection than for a new one means the pool is
        # exhausted: fail like an outage instead of queueing requests behind it.
        "pool_timeout": settings.database_timeout,
        # A connection that died while pooled (a database restart) is replaced
        # instead of failing the next request or task.
        "pool_pre_ping": True,
        "connect_args": {
            # libpq counts whole seconds and treats less than 2 as 2.
            "connect_timeout": max(2, math.ceil(settings.database_timeout)),
            "application_name": settings.database_application_name,
        },
    }


def sync_engine(settings: RuntimeSettings) -> Engine:
    return create_engine(settings.database_url.get_secret_value(), **_options(settings))


def async_engine(settings: RuntimeSettings) -> AsyncEngine:
    return create_async_engine(settings.database_url.get_secret_value(), **_options(settings))


def sync_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def async_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
