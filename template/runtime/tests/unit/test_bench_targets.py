"""The bench judges itself: each target PASS or MISS, the misses what fails a run."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from targets import Target, missed


def test_each_target_says_whether_this_run_met_it() -> None:
    faster = Target("enqueue vs naive throughput", 2.61, "x", ">=", 2.5)
    slower = Target("enqueue p99 vs bare p99", 3.4, "x", "<=", 3.0)
    cost = Target("enqueue with replica acks vs without", 0.8, "x")

    assert faster.row() == ["enqueue vs naive throughput", "2.61x", ">= 2.50x", "PASS"]
    assert slower.row()[-1] == "MISS"
    assert cost.row()[2:] == ["(a cost, no target)", ""]
    assert missed([faster, slower, cost]) == [slower]


def test_percentages_and_seconds_read_as_such() -> None:
    assert Target("no-op throughput", 93.4, "%", ">=", 90).row()[1:] == ["93 %", ">= 90 %", "PASS"]
    assert Target("worker start", 1.62, " s", "<=", 1.5).row()[1:] == [
        "1.62 s",
        "<= 1.50 s",
        "MISS",
    ]
