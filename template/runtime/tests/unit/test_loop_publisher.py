"""The API's publisher: batches, backpressure, and jobs given up on.

The writer is a stand-in here, to hold a batch in flight at a chosen moment; the
integration tests publish through the broker."""

import asyncio
from collections.abc import Sequence

import pytest

from durable_jobs._core.publisher import LoopPublisher
from durable_jobs._core.sending import AcceptedJob, BrokerUnavailable, OutgoingJob


class HeldWriter:
    """Writes batches only once the test lets them through."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.batches: list[list[str]] = []
        self.refusal: Exception | None = None
        self.refused_ids: set[str] = set()

    async def __call__(self, jobs: Sequence[OutgoingJob]) -> list[BrokerUnavailable | None]:
        await self.gate.wait()
        if self.refusal is not None:
            raise self.refusal
        self.batches.append([job.id for job in jobs])
        return [
            BrokerUnavailable(f"{job.id} nacked") if job.id in self.refused_ids else None
            for job in jobs
        ]


def job(name: str) -> OutgoingJob:
    return OutgoingJob(name, "example.job", {}, None)


async def in_flight() -> None:
    """Let the publisher take what is waiting into a batch (held at the gate)."""
    for _ in range(3):
        await asyncio.sleep(0)


def test_jobs_arriving_while_a_batch_is_in_flight_leave_together() -> None:
    async def scenario() -> tuple[list[AcceptedJob], list[list[str]]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        first = publisher.submit(job("a"))
        await in_flight()
        others = [publisher.submit(job(name)) for name in "bcd"]
        assert publisher.waiting() == 3
        writer.gate.set()
        return await asyncio.gather(first, *others), writer.batches

    accepted, batches = asyncio.run(scenario())
    assert [job.id for job in accepted] == ["a", "b", "c", "d"]
    assert batches == [["a"], ["b", "c", "d"]]


def test_batches_are_no_larger_than_the_batch_size() -> None:
    async def scenario() -> list[list[str]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=2)
        futures = [publisher.submit(job(name)) for name in "abcde"]
        writer.gate.set()
        await asyncio.gather(*futures)
        return writer.batches

    assert asyncio.run(scenario()) == [["a", "b"], ["c", "d"], ["e"]]


def test_a_full_queue_is_refused_at_once() -> None:
    async def scenario() -> list[list[str]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=1, batch_size=10)
        held = publisher.submit(job("held"))
        await in_flight()
        queued = publisher.submit(job("queued"))
        with pytest.raises(BrokerUnavailable, match="already waiting"):
            publisher.submit(job("refused"))
        writer.gate.set()
        await asyncio.gather(held, queued)
        return writer.batches

    assert asyncio.run(scenario()) == [["held"], ["queued"]]


def test_a_job_its_request_gave_up_on_is_never_published() -> None:
    async def scenario() -> list[list[str]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        held = publisher.submit(job("held"))
        await in_flight()
        abandoned = publisher.submit(job("abandoned"))
        kept = publisher.submit(job("kept"))
        # What the request's deadline (or a client that hung up) does to its wait.
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(abandoned, 0.01)
        writer.gate.set()
        await asyncio.gather(held, kept)
        return writer.batches

    assert asyncio.run(scenario()) == [["held"], ["kept"]]


def test_a_refused_batch_fails_its_jobs_and_the_next_batch_still_goes() -> None:
    async def scenario() -> tuple[list[str], list[list[str]]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        writer.refusal = BrokerUnavailable("the broker refused the job: down")
        refused = [publisher.submit(job(name)) for name in "ab"]
        writer.gate.set()
        outcomes = await asyncio.gather(*refused, return_exceptions=True)
        writer.refusal = None
        await publisher.submit(job("c"))
        return [str(outcome) for outcome in outcomes], writer.batches

    errors, batches = asyncio.run(scenario())
    assert errors == ["the broker refused the job: down"] * 2
    assert batches == [["c"]]


def test_a_job_the_broker_refused_fails_alone_and_its_batch_mates_are_accepted() -> None:
    async def scenario() -> list[str]:
        writer = HeldWriter()
        writer.refused_ids = {"b"}
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        futures = [publisher.submit(job(name)) for name in "abc"]
        writer.gate.set()
        outcomes = await asyncio.gather(*futures, return_exceptions=True)
        return [
            str(outcome) if isinstance(outcome, BaseException) else outcome.id
            for outcome in outcomes
        ]

    assert asyncio.run(scenario()) == ["a", "b nacked", "c"]


def test_an_unexpected_error_is_a_refusal_not_a_dead_publisher() -> None:
    async def scenario() -> tuple[BaseException | AcceptedJob, AcceptedJob]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        writer.refusal = ValueError("a bug in a batch")
        writer.gate.set()
        (failed,) = await asyncio.gather(publisher.submit(job("a")), return_exceptions=True)
        writer.refusal = None
        return failed, await publisher.submit(job("b"))

    failed, accepted = asyncio.run(scenario())
    assert isinstance(failed, BrokerUnavailable)
    assert "a bug in a batch" in str(failed)
    assert accepted.id == "b"


def test_drain_waits_for_the_jobs_already_handed_over() -> None:
    async def scenario() -> list[list[str]]:
        writer = HeldWriter()
        publisher = LoopPublisher(writer, capacity=10, batch_size=10)
        futures = [publisher.submit(job(name)) for name in "ab"]
        asyncio.get_running_loop().call_later(0.05, writer.gate.set)
        await publisher.drain()
        assert all(future.done() for future in futures)
        return writer.batches

    assert asyncio.run(scenario()) == [["a", "b"]]
