"""The durable half of signup: the welcome e-mail must arrive even if a worker dies.

With a database, the job comes from the outbox, committed with the user, and marks the
user welcomed. The e-mail goes to an SMTP server, outside the database, so Redis holds
its idempotency key: the lease keeps two deliveries of the job from sending at the same
time. Each database step opens a session of its own and closes it before sending.
"""

from pydantic import EmailStr, Field
from sqlalchemy import func, update

from durable_jobs import PRINTABLE, JobSpec, JobTask, Payload, idempotent, job

from ..db.models import User
from ..db.task_sessions import DATABASE_OUTAGE, task_session
from ..integrations.mailer import TRANSIENT_MAIL_ERRORS, mailer
from ..settings import get_settings


class WelcomeEmail(Payload):
    user_id: int = Field(gt=0)
    email: EmailStr
    name: str = Field(min_length=1, max_length=200, pattern=PRINTABLE)


WELCOME_EMAIL = JobSpec(
    name="email.welcome",
    payload=WelcomeEmail,
    soft_time_limit=20,
    time_limit=30,
    max_retries=8,
    retry_backoff_max=600,
    retry_on=(*TRANSIENT_MAIL_ERRORS, *DATABASE_OUTAGE),
)


@job(WELCOME_EMAIL)
def send_welcome_email(task: JobTask, payload: WelcomeEmail) -> dict[str, str]:
    if get_settings().has_database and not _user_exists(payload.user_id):
        return {"skipped": f"user {payload.user_id} no longer exists"}
    message_id = f"welcome-{payload.user_id}"
    with idempotent(task, message_id) as claim:
        if not claim.done:
            mailer().send(
                message_id,
                to=str(payload.email),
                subject="Welcome!",
                body=f"Hello {payload.name}, your account is ready.",
            )
            claim.commit({"message_id": message_id, "to": str(payload.email)})
        result: dict[str, str] = claim.result
    if get_settings().has_database:
        _mark_welcomed(payload.user_id)
    return result


def _user_exists(user_id: int) -> bool:
    with task_session() as session:
        return session.get(User, user_id) is not None


def _mark_welcomed(user_id: int) -> None:
    with task_session() as session:
        session.execute(
            update(User)
            .where(User.id == user_id, User.welcomed_at.is_(None))
            .values(welcomed_at=func.now())
        )
