"""Run a side effect at most once per key, even when a message is delivered twice.

Brokers deliver at least once: `acks_late` plus redelivery after a crash means the same
job can start twice, sometimes at the same time. A task wraps its side effect in
`guard.claim(key)`:

- a key that already finished returns the stored result, and nothing runs again;
- a key another process is running raises `AlreadyRunning` (retry later);
- otherwise the caller holds a lease and finishes with `claim.commit(result, also=...)`,
  which stores the result and the caller's own Redis writes in one transaction, and
  only while the lease is still the caller's.

Writes that live in Redis (passed through `also`) are therefore exactly once. A side
effect elsewhere (an SMTP server, a payment provider) can still repeat if the process
dies between doing it and committing: pass the same key to that system as its own
idempotency key where it has one.
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import WatchError

from .redis_client import wait_for_replicas

# Deletes the lease only if it still holds our token, so a slow holder whose lease
# expired cannot release the lease of the process that took over.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
# Takes the lease when it is free or held by an earlier delivery of the same job
# (same owner): ARGV = owner, new token, lease seconds.
_ACQUIRE = """
local held = redis.call('get', KEYS[1])
if held and string.sub(held, 1, string.len(ARGV[1]) + 1) ~= ARGV[1] .. '|' then
    return 0
end
redis.call('set', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
"""


class AlreadyRunning(Exception):
    """Another delivery of the same work holds the lease; try again later."""


class LeaseLost(Exception):
    """The lease expired before commit; another process may have taken over."""


@dataclass
class Claim:
    key: str
    done: bool
    result: Any = None
    _guard: "IdempotencyGuard | None" = None
    _token: str = ""

    def commit(self, result: Any, also: Callable[[Pipeline], object] | None = None) -> Any:
        if self._guard is None:
            raise RuntimeError(f"{self.key} was already done; nothing to commit")
        self._guard._commit(self, result, also)
        self.done, self.result = True, result
        return result


class IdempotencyGuard:
    def __init__(
        self,
        redis: Redis,
        prefix: str,
        lease_seconds: int,
        done_ttl_seconds: int,
        *,
        replica_acks: int = 0,
        replica_wait_ms: int = 250,
    ) -> None:
        self._redis = redis
        self._prefix = f"{prefix}idem:"
        self._lease_seconds = lease_seconds
        self._done_ttl = done_ttl_seconds
        self._replica_acks = replica_acks
        self._replica_wait_ms = replica_wait_ms
        self._release = redis.register_script(_RELEASE)
        self._acquire = redis.register_script(_ACQUIRE)

    def _done_key(self, key: str) -> str:
        return f"{self._prefix}done:{key}"

    def _lease_key(self, key: str) -> str:
        return f"{self._prefix}lease:{key}"

    def finished(self, key: str) -> tuple[bool, Any]:
        raw = self._redis.get(self._done_key(key))
        return (False, None) if raw is None else (True, json.loads(str(raw)))

    @contextmanager
    def claim(self, key: str, owner: str = "") -> Iterator[Claim]:
        """`owner` is the job id. A job is delivered again only after the delivery
        before it died (worker lost) or outlived its hard time limit, so a lease held
        by the same owner is taken over at once instead of waiting for it to expire;
        a lease held by another job (a client's retry with the same key) is respected.
        """
        done, result = self.finished(key)
        if done:
            yield Claim(key, done=True, result=result)
            return
        owner, nonce = owner or uuid4().hex, uuid4().hex
        token = f"{owner}|{nonce}"
        lease = self._lease_key(key)
        if not self._acquire(keys=[lease], args=[owner, nonce, self._lease_seconds]):
            raise AlreadyRunning(key)
        try:
            # Look again: the holder before us may have committed and released
            # between our first look and taking the lease.
            done, result = self.finished(key)
            if done:
                yield Claim(key, done=True, result=result)
            else:
                yield Claim(key, done=False, _guard=self, _token=token)
        finally:
            self._release(keys=[lease], args=[token])

    def _commit(self, claim: Claim, result: Any, also: Callable[[Pipeline], object] | None) -> None:
        lease = self._lease_key(claim.key)
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(lease)  # type: ignore[no-untyped-call]  # unannotated in redis-py
                if pipe.get(lease) != claim._token:
                    raise LeaseLost(claim.key)
                pipe.multi()
                pipe.set(self._done_key(claim.key), json.dumps(result), ex=self._done_ttl)
                if also is not None:
                    also(pipe)
                pipe.execute()
            except WatchError as exc:
                raise LeaseLost(claim.key) from exc
        if self._replica_acks:
            # Until REDIS_REPLICA_ACKS replicas hold the commit: a failover could
            # otherwise lose the done marker while the message's ack survives
            # elsewhere, or the ack too, and a redelivery would repeat the side effect.
            wait_for_replicas(
                self._redis,
                f"{self._prefix}replicated",
                self._replica_acks,
                self._replica_wait_ms,
                "the commit",
            )
