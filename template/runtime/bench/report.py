"""Printing the benchmark figures as plain tables, and the plot for the docs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from http_load import Load


def table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines) + "\n"


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.2f}"


def http_rows(http: dict[str, tuple[Load, float | None]]) -> list[list[str]]:
    rows = []
    for name, (load, lag) in http.items():
        rate = f"{load.requests_per_second:.0f}"
        rows.append([name, rate, ms(load.p50), ms(load.p99), ms(lag), str(load.non_2xx)])
    return rows


def plot(http: dict[str, tuple[Load, float | None]], path: Path) -> bool:
    """The figures as bars in `path`; False when matplotlib is not installed (a
    project's bench group installs it)."""
    try:
        import matplotlib  # noqa: PLC0415
    except ImportError:
        return False

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    names = list(http)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.bar(names, [http[n][0].requests_per_second for n in names], color="#4c72b0")
    left.set_title("requests per second (32 connections)")
    right.bar(names, [http[n][0].p99 * 1000 for n in names], color="#dd8452")
    right.set_title("p99 latency (ms)")
    for axis in (left, right):
        axis.tick_params(axis="x", labelrotation=15)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    return True
