"""The transactional outbox: a job is committed together with the rows that need it.

Publishing after the commit loses the job when the process dies in between; publishing
before it sends a job about a row that may never exist. `stage` adds the job to the
caller's own transaction instead, so the job exists if and only if the rows do. The
relay (the Procfile's `relay` process) publishes staged jobs and marks them sent,
in batches. A relay that dies after publishing and before marking publishes the same
job again, under the same id: consumers are idempotent, so that is harmless.

Stage through the outbox when a job must follow a database change; `JobClient.enqueue`
stays the path for jobs that follow nothing but the request (a charge, a report).
"""

from datetime import datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import uuid4

from celery import Celery
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    CursorResult,
    DateTime,
    Identity,
    Index,
    MetaData,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from .declaration import Job, JobSpec
from .records import JobRecords
from .request_context import current_request_id
from .sending import AcceptedJob, OutgoingJob, publish_batch

P = TypeVar("P", bound=BaseModel)


class OutboxBase(DeclarativeBase):
    # The service's own tables have a metadata of their own; Alembic compares both
    # (`db/migrations/env.py`). Same naming convention as theirs.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


OUTBOX_METADATA = OutboxBase.metadata


class OutboxMessage(OutboxBase):
    """A job committed in the same transaction as the rows that need it; the relay
    publishes it and sets `sent_at`."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    job_id: Mapped[str] = mapped_column(String(36), unique=True)
    job_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    request_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # The relay reads only what is pending: a small index however long the history.
    __table_args__ = (Index("ix_outbox_pending", "id", postgresql_where=sent_at.is_(None)),)


def stage(session: Session | AsyncSession, job: Job[P] | JobSpec[P], payload: P) -> AcceptedJob:
    """Add the job to the session's transaction; it is published once that commits."""
    job_id = str(uuid4())
    session.add(
        OutboxMessage(
            job_id=job_id,
            job_name=job.name,
            payload=payload.model_dump(mode="json"),
            request_id=current_request_id(),
        )
    )
    return AcceptedJob(job_id, job.name)


async def staged(session: AsyncSession, job_id: str) -> OutboxMessage | None:
    """The job while it waits in the outbox (committed, not yet published)."""
    return await session.scalar(
        select(OutboxMessage).where(OutboxMessage.job_id == job_id, OutboxMessage.sent_at.is_(None))
    )


class OutboxRelay:
    def __init__(
        self, sessions: sessionmaker[Session], celery: Celery, records: JobRecords, batch_size: int
    ) -> None:
        self._sessions = sessions
        self._celery = celery
        self._records = records
        self._batch_size = batch_size

    def relay_once(self) -> int:
        """Publish the oldest pending records and mark them sent, in one transaction.

        SKIP LOCKED lets several relays share the work without publishing the same
        record at the same time. Raises BrokerUnavailable (the transaction rolls back
        and the records stay pending) when the broker refuses them.
        """
        with self._sessions.begin() as session:
            messages = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.sent_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
            if not messages:
                return 0
            publish_batch(
                self._celery,
                self._records,
                [OutgoingJob(m.job_id, m.job_name, m.payload, m.request_id) for m in messages],
            )
            for message in messages:
                message.sent_at = func.now()
        return len(messages)

    def backlog(self) -> tuple[int, float]:
        """Pending records, and the age in seconds of the oldest (0 when none)."""
        with self._sessions() as session:
            count, oldest = session.execute(
                select(
                    func.count(),
                    func.coalesce(
                        func.extract("epoch", func.now() - func.min(OutboxMessage.created_at)), 0
                    ),
                ).where(OutboxMessage.sent_at.is_(None))
            ).one()
        return int(count), float(oldest)

    def purge_sent(self, older_than: timedelta) -> int:
        with self._sessions.begin() as session:
            result = session.execute(
                delete(OutboxMessage).where(OutboxMessage.sent_at < func.now() - older_than)
            )
        return int(cast("CursorResult[Any]", result).rowcount)
