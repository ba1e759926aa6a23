"""The figures the runtime's targets are stated in (docs/performance.md), from the
measured rows: ratios measured side by side in one run, never absolute numbers. Each
target says whether this run met it."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass

from http_figures import CLUSTER, Figures

COMPARISONS: dict[str, Callable[[float, float], bool]] = {">=": operator.ge, "<=": operator.le}


@dataclass(frozen=True)
class Target:
    """`figure` measured as `value` (in `unit`), against `goal` (`op` one of >=, <=);
    without an `op`, a figure reported beside the targets (a cost, no goal)."""

    figure: str
    value: float
    unit: str
    op: str = ""
    goal: float = 0.0

    def shown(self, number: float) -> str:
        return f"{number:.0f} %" if self.unit == "%" else f"{number:.2f}{self.unit}"

    @property
    def met(self) -> bool | None:
        return COMPARISONS[self.op](self.value, self.goal) if self.op else None

    def row(self) -> list[str]:
        wanted = f"{self.op} {self.shown(self.goal)}" if self.op else "(a cost, no target)"
        verdict = {True: "PASS", False: "MISS", None: ""}[self.met]
        return [self.figure, self.shown(self.value), wanted, verdict]


def missed(targets: list[Target]) -> list[Target]:
    return [target for target in targets if target.met is False]


def ratio(http: Figures, ours: str, baseline: str) -> float:
    """Row `ours`'s throughput over row `baseline`'s."""
    return http[ours][0].requests_per_second / http[baseline][0].requests_per_second


def enqueue_targets(http: Figures) -> list[Target]:
    """The enqueue endpoint against the naive pattern and bare FastAPI; on Redis the cost
    of replica acknowledgement, on RabbitMQ the confirmed paths (on the cluster too when
    it was measured)."""
    bare, ours = http["bare"][0], http["service enqueue"][0]
    targets = [
        Target(
            "enqueue vs naive throughput",
            ratio(http, "service enqueue", "naive .delay()"),
            "x",
            ">=",
            2.5,
        ),
        Target("enqueue p99 vs bare p99", ours.p99 / bare.p99, "x", "<=", 3.0),
    ]
    if "service enqueue, replica acks 1" in http:
        targets.append(
            Target(
                "enqueue with replica acks vs without (one replica)",
                ratio(http, "service enqueue, replica acks 1", "service enqueue, replica acks 0"),
                "x",
            )
        )
    for on in ("", f", {CLUSTER}"):
        if f"naive .delay(), confirms{on}" not in http:
            continue
        ours_on = f"service enqueue{on}"
        targets += [
            Target(
                f"enqueue vs naive with confirms{on}",
                ratio(http, ours_on, f"naive .delay(), confirms{on}"),
                "x",
                ">=",
                2.0,
            ),
            Target(
                "  both on quorum queues",
                ratio(http, ours_on, f"naive .delay(), confirms, quorum queue{on}"),
                "x",
                ">=",
                2.0,
            ),
        ]
    return targets
