"""A steady stream of charges through the HTTP API, as clients would send them: a 503
is retried after its Retry-After, anything else unexpected is recorded."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx2 as httpx

CHARGE = {"customer_id": "burst", "amount_cents": 100, "currency": "EUR"}


@dataclass
class Burst:
    base_url: str
    count: int
    seconds: float
    threads: int = 8
    accepted: dict[str, str] = field(default_factory=dict)  # job id -> idempotency key
    refusals: list[float] = field(default_factory=list)  # seconds each 503 took
    slowest: float = 0.0  # seconds, of any answer
    last_refusal_at: float | None = None  # time.monotonic() of the last 503
    unexpected: list[str] = field(default_factory=list)
    first_accept_after_refusal: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def start(self) -> Burst:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the burst did not finish in time"

    def _run(self) -> None:
        run_id = uuid.uuid4().hex[:8]
        pace = self.seconds / self.count * self.threads
        with (
            httpx.Client(base_url=self.base_url, timeout=5) as client,
            ThreadPoolExecutor(self.threads) as pool,
        ):
            for index in range(self.count):
                pool.submit(self._send, client, f"burst-{run_id}-{index}", pace)

    def _send(self, client: httpx.Client, key: str, pace: float) -> None:
        time.sleep(pace)
        for _ in range(60):
            started = time.monotonic()
            try:
                response = client.post("/charges", json=CHARGE, headers={"Idempotency-Key": key})
            except httpx.HTTPError as exc:
                self._note_unexpected(f"{key}: {exc!r}")
                return
            with self._lock:
                self.slowest = max(self.slowest, time.monotonic() - started)
            if response.status_code == 202:
                with self._lock:
                    self.accepted[response.json()["id"]] = key
                    if self.refusals and self.first_accept_after_refusal is None:
                        self.first_accept_after_refusal = time.monotonic()
                return
            if response.status_code == 503:
                with self._lock:
                    self.refusals.append(time.monotonic() - started)
                    self.last_refusal_at = time.monotonic()
                time.sleep(float(response.headers["retry-after"]))
                continue
            self._note_unexpected(f"{key}: {response.status_code} {response.text[:200]}")
            return
        self._note_unexpected(f"{key}: still refused after 60 tries")

    def _note_unexpected(self, what: str) -> None:
        with self._lock:
            self.unexpected.append(what)
