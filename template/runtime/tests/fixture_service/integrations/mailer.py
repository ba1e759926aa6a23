"""Sending e-mail: SMTP in production, `.eml` files in MAIL_DIR in development."""

import logging
import smtplib
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path

from ..settings import Settings, get_settings

log = logging.getLogger(__name__)

# Errors worth retrying: the server or the network may be back in a moment.
TRANSIENT_MAIL_ERRORS: tuple[type[Exception], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPDataError,
    ConnectionError,
    TimeoutError,
)


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, message_id: str, to: str, subject: str, body: str) -> None:
        """`message_id` names the message, so a second delivery of it is recognisable."""
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = f"<{message_id}@{self._settings.mail_from.split('@')[-1]}>"
        message.set_content(body)
        if self._settings.smtp_host:
            self._send_smtp(message)
        else:
            self._write_file(self._settings.mail_dir / f"{message_id}.eml", message)
        # One line per message handed over: a message sent twice shows up twice.
        log.info("e-mail %s sent", message_id)

    def _send_smtp(self, message: EmailMessage) -> None:
        settings = self._settings
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)

    @staticmethod
    def _write_file(path: Path, message: EmailMessage) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(bytes(message))
        partial.replace(path)


@lru_cache(maxsize=1)
def mailer() -> Mailer:
    """The process's mailer, from the service's settings."""
    return Mailer(get_settings())
