"""The load test's own arithmetic (the run itself is `make loadtest`, outside the suite)."""

from __future__ import annotations

import pytest

from loadtest.stats import Recorder, format_table, percentile, summarise
from loadtest.suppliers import yuan


def test_nearest_rank_percentiles_on_fixed_numbers():
    samples = [float(n) for n in range(10, 0, -1)]  # 10 … 1, unsorted on purpose
    assert percentile(samples, 50) == 5
    assert percentile(samples, 95) == 10
    assert percentile(samples, 99) == 10
    hundred = [float(n) for n in range(1, 101)]
    assert (percentile(hundred, 50), percentile(hundred, 95), percentile(hundred, 99)) == (50, 95, 99)
    assert percentile([7.0], 99) == 7
    assert percentile([], 50) == 0
    with pytest.raises(ValueError):
        percentile(hundred, 0)


def test_recorder_counts_errors_and_throughput():
    rec = Recorder()
    rec.record("GET /x", 0.0, 0.010, 200, True)
    rec.record("GET /x", 1.0, 1.030, 503, False)
    rec.record("GET /x", 2.0, 2.020, None, False)
    rec.record("POST /y", 0.0, 0.5, 422, True)
    (x, y) = summarise(rec)
    assert (x.endpoint, x.count, x.errors, x.p50, x.p99) == ("GET /x", 3, 2, pytest.approx(20), pytest.approx(30))
    assert x.rps == pytest.approx(3 / 2.02)
    assert (y.errors, rec.total("server_errors"), rec.no_answer()) == (0, 1, 1)
    assert "GET /x" in format_table([x, y])


def test_yuan_text_keeps_four_decimals():
    assert yuan(123456) == "12.3456"
    assert yuan(50) == "0.0050"
