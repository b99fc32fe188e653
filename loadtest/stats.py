"""Latency bookkeeping: a thread-safe recorder per endpoint and the printed table.

Pure (no HTTP, no database) so the maths can be tested on fixed numbers. Percentiles use the
nearest-rank method: p-th percentile = the smallest sample with at least p % of the samples
at or below it (so p50 of 1..10 is 5, p95 and p99 are 10).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (any order); 0 for no samples."""
    if not samples:
        return 0.0
    if not 0 < p <= 100:
        raise ValueError("p must be in (0, 100]")
    ordered = sorted(samples)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


@dataclass
class EndpointStats:
    """Everything recorded for one endpoint label."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0  # unexpected status (any 5xx, unexpected 4xx) or no answer at all
    server_errors: int = 0  # 5xx
    statuses: dict[int, int] = field(default_factory=dict)
    first_start: float = math.inf
    last_end: float = 0.0

    @property
    def count(self) -> int:
        """Requests recorded."""
        return len(self.latencies_ms)

    def throughput(self) -> float:
        """Requests per second over the span in which this endpoint was used."""
        span = self.last_end - self.first_start
        return self.count / span if span > 0 else float(self.count)


class Recorder:
    """Collects (endpoint, latency, status) from many client threads."""

    def __init__(self) -> None:
        """Start empty."""
        self._lock = threading.Lock()
        self.endpoints: dict[str, EndpointStats] = {}

    def record(self, endpoint: str, start: float, end: float, status: int | None, expected: bool) -> None:
        """One request: monotonic start/end in seconds, HTTP status (None: no answer)."""
        with self._lock:
            stats = self.endpoints.setdefault(endpoint, EndpointStats())
            stats.latencies_ms.append((end - start) * 1000)
            stats.first_start = min(stats.first_start, start)
            stats.last_end = max(stats.last_end, end)
            key = status if status is not None else 0
            stats.statuses[key] = stats.statuses.get(key, 0) + 1
            if status is None or status >= 500:
                stats.server_errors += status is not None
                stats.errors += 1
            elif not expected:
                stats.errors += 1

    def total(self, attr: str) -> int:
        """Sum of ``errors`` or ``server_errors`` (or ``count``) over every endpoint."""
        with self._lock:
            return sum(getattr(s, attr) for s in self.endpoints.values())

    def no_answer(self) -> int:
        """Requests that got no HTTP answer (connection errors, timeouts)."""
        with self._lock:
            return sum(s.statuses.get(0, 0) for s in self.endpoints.values())


@dataclass(frozen=True)
class Row:
    """One printed line of the latency table."""

    endpoint: str
    count: int
    errors: int
    p50: float
    p95: float
    p99: float
    max: float
    rps: float


def summarise(recorder: Recorder) -> list[Row]:
    """Table rows, one per endpoint, sorted by endpoint label."""
    rows = []
    for name, s in sorted(recorder.endpoints.items()):
        lat = s.latencies_ms
        rows.append(Row(name, s.count, s.errors, percentile(lat, 50), percentile(lat, 95),
                        percentile(lat, 99), max(lat, default=0.0), s.throughput()))
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """The rows as a fixed-width text table (latencies in ms, throughput in requests/s)."""
    width = max([len(r.endpoint) for r in rows] + [8])
    head = f"{'endpoint':<{width}}  {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'req/s':>7}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.endpoint:<{width}}  {r.count:>6} {r.errors:>6} {r.p50:>8.0f} {r.p95:>8.0f} "
                     f"{r.p99:>8.0f} {r.max:>8.0f} {r.rps:>7.1f}")
    return "\n".join(lines)
