"""The outbox relay and the worker's database sessions, against real PostgreSQL, Redis and
broker. (The signup round trip through the relay is in test_service_round_trip.py.)"""

import os
import uuid
from collections.abc import Iterator

import pytest
from celery.exceptions import Retry
from fixture_service.db import task_sessions
from fixture_service.db.models import User
from fixture_service.jobs.welcome_email import (
    WELCOME_EMAIL,
    WelcomeEmail,
)
from fixture_service.settings import Settings
from redis import Redis
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from support.service import SERVICE_JOBS, with_database

from durable_jobs._core import outbox
from durable_jobs._core.celery_app import make_celery
from durable_jobs._core.outbox import OutboxMessage, OutboxRelay
from durable_jobs._core.records import JobRecords
from durable_jobs._core.sending import BrokerUnavailable
from durable_jobs.database import sync_engine, sync_sessions
from durable_jobs.testing.process_supervisor import free_port

pytestmark = with_database


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = sync_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def stage_welcome(engine: Engine) -> str:
    """Commit a user and its welcome e-mail's job, as the signup route does."""
    with sync_sessions(engine).begin() as session:
        user = User(email=f"{uuid.uuid4().hex}@example.com", name="Ann")
        session.add(user)
        session.flush()
        payload = WelcomeEmail(user_id=user.id, email=user.email, name=user.name)
        return outbox.stage(session, WELCOME_EMAIL, payload).id


def outbox_entry(session: Session, job_id: str) -> OutboxMessage:
    session.expire_all()
    return session.scalars(select(OutboxMessage).where(OutboxMessage.job_id == job_id)).one()


def relay_for(settings: Settings, engine: Engine) -> OutboxRelay:
    return OutboxRelay(
        sync_sessions(engine),
        make_celery(settings, SERVICE_JOBS),
        JobRecords.for_settings(settings),
        batch_size=10,
    )


def test_relay_leaves_records_pending_while_the_broker_refuses_them(
    settings: Settings, redis: Redis, engine: Engine, session: Session
) -> None:
    job_id = stage_welcome(engine)
    if settings.broker_url:
        down = settings.model_copy(
            update={"broker_url": f"amqp://guest:guest@127.0.0.1:{free_port()}//"}
        )
    else:
        down = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})

    with pytest.raises(BrokerUnavailable):
        relay_for(down, engine).relay_once()
    assert outbox_entry(session, job_id).sent_at is None

    relay = relay_for(settings, engine)
    while relay.relay_once():  # earlier tests' records may be older than ours
        pass
    assert outbox_entry(session, job_id).sent_at is not None
    assert JobRecords.for_settings(settings).get(job_id) is not None


def test_relays_running_side_by_side_publish_each_record_once(
    settings: Settings, redis: Redis, engine: Engine, session: Session
) -> None:
    job_ids = {stage_welcome(engine) for _ in range(30)}
    second = relay_for(settings, engine)
    # A first relay mid-batch: its rows locked (FOR UPDATE) while it publishes.
    # SKIP LOCKED hands the second only rows the first did not take.
    with session.begin():
        taken = session.scalars(
            select(OutboxMessage.job_id)
            .where(OutboxMessage.sent_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(10)
            .with_for_update(skip_locked=True)
        ).all()
        while second.relay_once():
            pass
    sent = session.scalars(
        select(OutboxMessage.job_id).where(
            OutboxMessage.job_id.in_(job_ids), OutboxMessage.sent_at.is_not(None)
        )
    ).all()
    assert set(sent) == job_ids - set(taken)


def idle_in_transaction(settings: Settings) -> int:
    engine = create_engine(settings.database_url.get_secret_value())
    with engine.connect() as connection:
        count = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND state LIKE 'idle in transaction%' "
                "AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()
    return int(count or 0)


@pytest.mark.parametrize(
    "ending",
    [None, RuntimeError("the task failed"), Retry("the task retries")],
    ids=["success", "failure", "retry"],
)
def test_a_task_session_is_closed_however_the_task_ends(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, ending: Exception | None
) -> None:
    # This test's database, whatever the process's cached settings say.
    monkeypatch.setattr(task_sessions, "get_settings", lambda: settings)
    task_sessions._sessions_of.cache_clear()
    email = f"{uuid.uuid4().hex}@example.com"
    try:
        with task_sessions.task_session() as session:
            session.add(User(email=email, name="Ann"))
            session.flush()
            if ending is not None:
                raise ending
    except (RuntimeError, Retry):
        pass
    engine = task_sessions._sessions_of(os.getpid()).kw["bind"]
    pool = engine.pool
    assert pool.checkedout() == 0
    assert idle_in_transaction(settings) == 0
    with task_sessions.task_session() as session:
        saved = session.scalar(select(func.count()).where(User.email == email))
    assert saved == (1 if ending is None else 0)
    engine.dispose()
    task_sessions._sessions_of.cache_clear()
