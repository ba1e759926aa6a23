"""The p99 of `event_loop_lag_seconds` over a stretch of load, from two scrapes."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

NAME = "event_loop_lag_seconds"


def buckets(url: str) -> dict[float, float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:  # noqa: S310
        text = response.read().decode()
    return {
        float(sample.labels["le"]): sample.value
        for family in text_string_to_metric_families(text)
        if family.name == NAME
        for sample in family.samples
        if sample.name == f"{NAME}_bucket"
    }


def quantile(before: dict[float, float], after: dict[float, float], q: float) -> float | None:
    counts = sorted((le, after[le] - before.get(le, 0.0)) for le in after)
    total = counts[-1][1] if counts else 0.0
    if not total:
        return None
    return next(le for le, count in counts if count >= q * total)


@dataclass
class Lag:
    value: float | None = None


@contextlib.contextmanager
def loop_lag_p99(url: str) -> Iterator[Lag]:
    """The bucket bound under which 99% of the loop's wake-ups fell meanwhile."""
    lag = Lag()
    before = buckets(url)
    yield lag
    lag.value = quantile(before, buckets(url), 0.99)
