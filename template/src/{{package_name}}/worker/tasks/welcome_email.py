"""The durable half of signup: the welcome e-mail must arrive even if a worker dies."""

from ...jobs.catalog import WELCOME_EMAIL
from ...jobs.payloads import WelcomeEmail
from .. import resources
from ..job_task import AnyTask, job_task
from ..mailer import TRANSIENT_MAIL_ERRORS


@job_task(WELCOME_EMAIL, retry_on=TRANSIENT_MAIL_ERRORS)
def send_welcome_email(task: AnyTask, payload: WelcomeEmail) -> dict[str, str]:
    message_id = f"welcome-{payload.user_id}"
    with resources.idempotency_for(WELCOME_EMAIL).claim(
        message_id, owner=str(task.request.id or "")
    ) as claim:
        if not claim.done:
            resources.mailer().send(
                message_id,
                to=str(payload.email),
                subject="Welcome!",
                body=f"Hello {payload.name}, your account is ready.",
            )
            claim.commit({"message_id": message_id, "to": str(payload.email)})
        result: dict[str, str] = claim.result
        return result
