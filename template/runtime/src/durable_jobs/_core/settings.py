"""The runtime's knobs: connections, the API's limits, how jobs and processes run, and
the database. The service's own settings class extends this one
(`<package>/settings.py`), so every knob is read from the environment (or `.env`) in
one place; each group lives in a module of its own."""

from pydantic import model_validator
from pydantic_settings import SettingsConfigDict

from .api_settings import ApiSettings
from .connection_settings import ConnectionSettings
from .database_settings import DatabaseSettings
from .process_settings import ProcessSettings


class RuntimeSettings(ConnectionSettings, ApiSettings, ProcessSettings, DatabaseSettings):
    # .env.secrets holds what Copier generated (it may be missing); .env, the user's
    # own, wins over it, and the environment wins over both. Empty values
    # (`BROKER_URL=` in .env) mean "use the default". A refused value is never echoed:
    # pydantic prints the input (a token, or every setting with the URLs' passwords)
    # into the error, and so into container logs.
    model_config = SettingsConfigDict(
        env_file=(".env.secrets", ".env"),
        extra="ignore",
        env_ignore_empty=True,
        hide_input_in_errors=True,
    )

    @model_validator(mode="after")
    def _enqueue_outlasts_one_connect(self) -> "RuntimeSettings":
        if self.enqueue_timeout <= self.broker_socket_timeout:
            raise ValueError(
                "ENQUEUE_TIMEOUT must be longer than BROKER_SOCKET_TIMEOUT, or every "
                "slow connect is reported as an outage"
            )
        return self

    @property
    def effective_broker_url(self) -> str:
        return self.broker_url or self.redis_url

    @property
    def has_database(self) -> bool:
        """A database is configured: the outbox, its relay and sessions are on."""
        return bool(self.database_url.get_secret_value())

    @property
    def effective_replica_acks(self) -> int:
        if self.redis_replica_acks is not None:
            return self.redis_replica_acks
        return 1 if self.redis_url.startswith("sentinel://") else 0
