"""A refused setting says what is wrong and what is allowed, never the secrets it was
given: the error goes to the logs of a container that failed to start."""

import pytest
from pydantic import ValidationError

from durable_jobs import RuntimeSettings

TOKEN = "fifteen-chars!!"
PASSWORD = "pw"


def refusal(**values: object) -> str:
    with pytest.raises(ValidationError) as refused:
        RuntimeSettings(_env_file=None, **values)  # type: ignore[arg-type]
    return str(refused.value)


def test_a_short_admin_token_is_refused_without_showing_it() -> None:
    message = refusal(admin_token=TOKEN)
    assert "at least 16 characters" in message
    assert TOKEN not in message


def test_timeouts_that_cannot_work_are_refused_without_showing_any_setting() -> None:
    message = refusal(
        redis_url=f"redis://:{PASSWORD}@127.0.0.1:6379/0",
        enqueue_timeout=0.5,
        broker_socket_timeout=0.5,
    )
    assert "ENQUEUE_TIMEOUT must be longer than BROKER_SOCKET_TIMEOUT" in message
    # pydantic would echo the settings it was given, shortened to their first and
    # last characters: the start of the Redis URL, password included.
    assert "input_value" not in message
    assert "redis://" not in message


def test_a_queue_prefix_with_a_dot_is_refused_saying_what_is_allowed() -> None:
    message = refusal(queue_prefix="orders.")
    assert "QUEUE_PREFIX may not contain '.'" in message
    assert "e.g. 'orders-'" in message


def test_the_queue_prefix_the_readme_suggests_is_accepted() -> None:
    assert RuntimeSettings(_env_file=None, queue_prefix="orders-").queue_prefix


@pytest.mark.parametrize("name", ["broker_url", "redis_url"])
def test_a_url_with_an_unencoded_slash_in_its_password_is_refused_without_it(name: str) -> None:
    message = refusal(**{name: "redis://:se/cret-part@127.0.0.1:6379/0"})
    assert f"{name.upper()} is not a URL the service can read" in message
    assert "'/' as %2F" in message
    assert "se/cret" not in message
    assert "cret-part" not in message


def test_encoded_passwords_sentinels_and_clusters_are_read() -> None:
    settings = RuntimeSettings(
        _env_file=None,
        redis_url="sentinel://:p%2Fw@s1:26379/0;sentinel://s2:26379",
        broker_url="amqp://u:p%40w@a:5672//;amqp://u:p%40w@b:5672//",
    )
    assert settings.broker_url.count("amqp://") == 2
