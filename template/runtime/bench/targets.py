"""The figures the runtime's targets are stated in (docs/performance.md), from the
measured rows: ratios measured side by side in one run, never absolute numbers."""

from __future__ import annotations

from http_figures import CLUSTER, Figures


def throughput_ratio(http: Figures, ours: str, baseline: str) -> str:
    """Row `ours`'s throughput over row `baseline`'s."""
    return f"{http[ours][0].requests_per_second / http[baseline][0].requests_per_second:.2f}x"


def enqueue_targets(http: Figures) -> list[list[str]]:
    """The enqueue endpoint against the naive pattern and bare FastAPI; on Redis the cost
    of replica acknowledgement, on RabbitMQ the confirmed paths (on the cluster too when
    it was measured)."""
    bare, ours = http["bare"][0], http["service enqueue"][0]
    rows = [
        [
            "enqueue vs naive throughput",
            throughput_ratio(http, "service enqueue", "naive .delay()"),
            ">= 2.5x",
        ],
        ["enqueue p99 vs bare p99", f"{ours.p99 / bare.p99:.2f}x", "<= 3x"],
    ]
    if "service enqueue, replica acks 1" in http:
        rows.append(
            [
                "enqueue with replica acks vs without (one replica)",
                throughput_ratio(
                    http, "service enqueue, replica acks 1", "service enqueue, replica acks 0"
                ),
                "(a cost, no target)",
            ]
        )
    for on in ("", f", {CLUSTER}"):
        if f"naive .delay(), confirms{on}" not in http:
            continue
        ours_on = f"service enqueue{on}"
        rows += [
            [
                f"enqueue vs naive with confirms{on}",
                throughput_ratio(http, ours_on, f"naive .delay(), confirms{on}"),
                ">= 2x",
            ],
            [
                "  both on quorum queues",
                throughput_ratio(http, ours_on, f"naive .delay(), confirms, quorum queue{on}"),
                ">= 2x",
            ],
        ]
    return rows
