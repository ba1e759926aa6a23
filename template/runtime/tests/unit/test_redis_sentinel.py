"""Redis Sentinel settings reach every Redis client of the service: the broker (on a
Redis broker), results, job records and Beat's lock. (Failing over is tested for real
in the failover scenarios.)"""

import pytest
from redis.sentinel import SentinelConnectionPool

from durable_jobs import RuntimeSettings
from durable_jobs._core import redis_client, redis_transport, result_backend
from durable_jobs._core.celery_app import make_celery

SENTINELS = "sentinel://:secret@s1:26379/2;sentinel://s2:26380;sentinel://s3"


def sentinel_settings(broker_url: str = SENTINELS) -> RuntimeSettings:
    return RuntimeSettings(
        _env_file=None,
        redis_url=SENTINELS,
        broker_url=broker_url,
        redis_master_name="jobs",
    )


def test_a_sentinel_url_names_every_sentinel_and_the_masters_database() -> None:
    address = redis_client.sentinel_address(SENTINELS)
    assert address.sentinels == (("s1", 26379), ("s2", 26380), ("s3", 26379))
    assert (address.db, address.password) == (2, "secret")
    assert redis_client.is_sentinel(SENTINELS)
    assert not redis_client.is_sentinel("redis://127.0.0.1:6379/0")


def results_and_records_go_through_the_sentinels(settings: RuntimeSettings) -> None:
    app = make_celery(settings, ())
    assert isinstance(app.backend, result_backend.NoWaitSentinelBackend)
    assert app.conf.result_backend_transport_options["master_name"] == "jobs"
    client = redis_client.sync_redis(settings.redis_url, master_name="jobs", timeout=0.5)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "jobs"
    # Writes that must survive a failover wait for a replica by default with
    # Sentinel, never without.
    assert settings.effective_replica_acks == 1
    assert RuntimeSettings(_env_file=None).effective_replica_acks == 0


def test_results_and_records_go_through_the_sentinels_on_a_redis_broker() -> None:
    results_and_records_go_through_the_sentinels(sentinel_settings())


def test_results_and_records_go_through_the_sentinels_on_a_rabbitmq_broker() -> None:
    pytest.importorskip("aio_pika", reason="the rabbitmq extra is not installed")
    results_and_records_go_through_the_sentinels(sentinel_settings("amqp://guest:guest@h:5672//"))


def test_the_broker_goes_through_the_hardened_sentinel_transport() -> None:
    app = make_celery(sentinel_settings(), ())
    assert app.conf.broker_transport_options["master_name"] == "jobs"
    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, redis_transport.SentinelTransport)
        assert issubclass(connection.transport.Channel, redis_transport.Channel)


def test_beats_lock_lives_on_the_master_the_sentinels_name() -> None:
    pytest.importorskip("redbeat", reason="the beat extra is not installed")
    from durable_jobs._worker.beat import redbeat_redis  # noqa: PLC0415 (the beat extra)

    options = redbeat_redis(sentinel_settings())
    assert options["redbeat_redis_url"] == "redis-sentinel://"
    redis_options = options["redbeat_redis_options"]
    assert redis_options["sentinels"] == [("s1", 26379), ("s2", 26380), ("s3", 26379)]
    assert (redis_options["service_name"], redis_options["db"]) == ("jobs", 2)
