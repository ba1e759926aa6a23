"""The welcome e-mail's database steps, each in a session of its own, closed before
the e-mail is sent."""

from sqlalchemy import func, update

from .models import User
from .task_sessions import task_session


def user_exists(user_id: int) -> bool:
    with task_session() as session:
        return session.get(User, user_id) is not None


def mark_welcomed(user_id: int) -> None:
    with task_session() as session:
        session.execute(
            update(User)
            .where(User.id == user_id, User.welcomed_at.is_(None))
            .values(welcomed_at=func.now())
        )
