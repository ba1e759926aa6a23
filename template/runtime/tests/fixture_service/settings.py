"""The fixture service's settings: the runtime's knobs and the fixture jobs' own."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr

from durable_jobs import RuntimeSettings


class Settings(RuntimeSettings):
    key_prefix: str = "fixture-service:"
    database_application_name: str = "fixture-service"

    storage_dir: Path = Field(Path("var/storage"), description="Where jobs write large outputs.")
    mail_dir: Path = Field(
        Path("var/mail"), description="Where e-mails are written when SMTP_HOST is empty."
    )
    smtp_host: str = Field("", description="SMTP server; empty writes mail to MAIL_DIR.")
    smtp_port: int = Field(587, gt=0)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "no-reply@fixture-service.invalid"


@lru_cache
def get_settings() -> Settings:
    return Settings()
