"""The durable half of signup: the welcome e-mail must arrive even if a worker dies.

With a database, the job comes from the outbox, committed with the user, and marks the
user welcomed. The e-mail goes to an SMTP server, outside the database, so Redis holds
its idempotency key: the lease keeps two deliveries of the job from sending at the same
time. Each database step opens a session of its own and closes it before sending.
"""

from pydantic import EmailStr, Field

from durable_jobs import PRINTABLE, JobSpec, JobTask, Payload, idempotent, job

from ..integrations.mailer import TRANSIENT_MAIL_ERRORS, mailer
from ..settings import get_settings

DATABASE_OUTAGE: tuple[type[Exception], ...] = ()
try:  # With the database extra, its outages are retried like the mail server's.
    from ..db import task_sessions

    DATABASE_OUTAGE = task_sessions.DATABASE_OUTAGE
except ImportError:  # a service without a database runs this job on its own
    pass


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
    database = get_settings().has_database
    if database:
        from ..db.welcomed import mark_welcomed, user_exists  # noqa: PLC0415 (the extra)

        if not user_exists(payload.user_id):
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
    if database:
        mark_welcomed(payload.user_id)
    return result
