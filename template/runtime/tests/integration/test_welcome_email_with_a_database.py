"""The welcome e-mail's task called in-process with a database (the `database` extra):
the user it greets is marked welcomed once; a user deleted meanwhile is skipped."""

import uuid

import pytest
from conftest import run_tasks_here
from fixture_service.db.models import User
from fixture_service.db.task_sessions import _sessions_of, task_session
from fixture_service.settings import Settings
from fixture_service.worker.app import app
from redis import Redis
from sqlalchemy import delete
from support.service import with_database

pytestmark = with_database
send_welcome_email = app.tasks["email.welcome"]


@pytest.fixture(autouse=True)
def use_test_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings, redis: Redis) -> None:
    run_tasks_here(monkeypatch, settings, _sessions_of)


def new_user(email: str) -> User:
    with task_session() as session:
        user = User(email=email, name="Ann")
        session.add(user)
        session.flush()
    return user


def test_welcome_email_is_written_once_and_recorded(settings: Settings) -> None:
    user = new_user(f"ann-{uuid.uuid4().hex}@example.com")
    payload = {"user_id": user.id, "email": user.email, "name": "Ann"}
    send_welcome_email(payload)
    send_welcome_email(payload)
    [message] = list(settings.mail_dir.glob("*.eml"))
    assert user.email in message.read_text()
    with task_session() as session:
        assert session.get(User, user.id).welcomed_at is not None  # type: ignore[union-attr]


def test_welcome_email_for_a_user_deleted_meanwhile_is_skipped(settings: Settings) -> None:
    user = new_user(f"gone-{uuid.uuid4().hex}@example.com")
    with task_session() as session:
        session.execute(delete(User).where(User.id == user.id))
    result = send_welcome_email({"user_id": user.id, "email": user.email, "name": "Ann"})
    assert result == {"skipped": f"user {user.id} no longer exists"}
    assert not settings.mail_dir.exists() or not list(settings.mail_dir.glob("*.eml"))
