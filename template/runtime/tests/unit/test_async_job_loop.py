"""One event loop per worker process serves every `async def` job; an interrupted job
is cancelled and the loop stays usable."""

import asyncio

import pytest

from durable_jobs._worker.event_loop import run_coroutine


async def _current_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_async_jobs_share_one_event_loop() -> None:
    assert run_coroutine(_current_loop()) is run_coroutine(_current_loop())


def test_an_interrupted_job_is_cancelled_and_the_loop_serves_the_next() -> None:
    seen = []

    async def interrupted() -> None:
        try:
            asyncio.get_running_loop().call_soon(_interrupt)
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise
        finally:
            seen.append("cleaned up")

    with pytest.raises(KeyboardInterrupt):
        run_coroutine(interrupted())
    assert seen == ["cancelled", "cleaned up"]
    assert run_coroutine(_current_loop()) is not None


def _interrupt() -> None:
    # What Celery's soft time limit does: an exception raised while the loop runs.
    raise KeyboardInterrupt
