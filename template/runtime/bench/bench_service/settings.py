"""The bench service's settings: the runtime's, read like any service's (environment,
then `.env` of the directory the bench runs in), under a key prefix of the bench's own."""

from functools import lru_cache

from durable_jobs import RuntimeSettings


class Settings(RuntimeSettings):
    key_prefix: str = "bench:"
    database_application_name: str = "bench"


@lru_cache
def get_settings() -> Settings:
    return Settings()
