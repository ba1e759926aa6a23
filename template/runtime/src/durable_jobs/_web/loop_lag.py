"""How late the API's event loop wakes up. A blocking call in a route (a synchronous
publish, a slow DNS lookup) shows here before it shows anywhere else."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import Histogram

INTERVAL = 0.05
LAG = Histogram(
    "event_loop_lag_seconds",
    "How much later than asked the API's event loop woke from a 50 ms sleep.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


async def _sample() -> None:
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(INTERVAL)
        LAG.observe(max(0.0, loop.time() - before - INTERVAL))


@contextlib.asynccontextmanager
async def watch_loop_lag(_: Any = None) -> AsyncIterator[None]:
    """Samples the lag while the app runs (usable as, or inside, a lifespan)."""
    sampler = asyncio.create_task(_sample())
    try:
        yield
    finally:
        sampler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampler
