"""Page benchmark: ``python -m bench.bench_pages [--hospitals N] [--repeat R]`` prints p50/p95 per page.

The demo seeded as ``flask seed`` seeds it (200 hospitals, 30 suppliers by default: demo
scale) into a SQLite file in a temporary folder of this run (removed at the end), then each
page the issue 18 names is fetched ``--repeat`` times through the Flask test client by its
demo login, after one warm-up fetch (templates compiled, catalog loaded):

* the price officer's contracts of the execution batch (all its contracts, paged);
* the settlement officer's batch page (序时进度, runs, refunds);
* the settlement officer's savings page (结余留用);
* the supplier's settlement page (contracts, deliveries, lines).

Target (issue 18): p95 ≤ 200 ms each. Not a test; the machine's load moves the figures.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time

DEMO_PASSWORD = "jicai-demo-2026"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def _login(client, username: str) -> None:
    """Sign in through the login form."""
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_RE.search(page)
    token = next(g for g in match.groups() if g)
    reply = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert reply.status_code in (302, 303), (username, reply.status_code)


def _time(client, url: str, repeat: int) -> tuple[float, float, int]:
    """p50 and p95 in ms of ``repeat`` fetches of ``url`` (after one warm-up), and its size."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        reply = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert reply.status_code == 200, (url, reply.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, len(first.get_data())


def main() -> None:
    """Seed the demo in a fresh instance folder and time the pages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=200)
    parser.add_argument("--suppliers", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="jicai-bench-pages-") as tmp:
        os.environ["JICAI_INSTANCE_PATH"] = tmp  # this run's own SQLite file and development keys
        from app import create_app

        app = create_app()
        runner = app.test_cli_runner()
        for command in (["db", "upgrade"], ["seed", "--hospitals", str(args.hospitals),
                                            "--suppliers", str(args.suppliers)]):
            result = runner.invoke(args=command)
            assert result.exit_code == 0, result.output
        batch = re.search(r"(SD-\d{4}-DEMO-E) ", result.output).group(1)
        pages = (("price officer: the execution batch's contracts", "officer", f"/batches/{batch}/contracts"),
                 ("settlement officer: batch page (序时进度)", "settle", f"/settlement/officer/batches/{batch}"),
                 ("settlement officer: savings page (结余留用)", "settle", f"/savings/batches/{batch}"),
                 ("supplier: settlement page", "supplier", "/settlement/"))
        rows = []
        for name, username, url in pages:
            with app.test_client() as client:
                _login(client, username)
                p50, p95, size = _time(client, url, args.repeat)
            rows.append((name, f"{p50:.0f} ms", f"{p95:.0f} ms", f"{size // 1024} KiB",
                         "met" if p95 <= 200 else "missed"))
    width = max(len(r[0]) for r in rows)
    print(f"{'page (demo: ' + str(args.hospitals) + ' hospitals)':<{width}}  {'p50':>7} {'p95':>7} {'size':>8}  "
          "p95 ≤ 200 ms")
    for name, p50, p95, size, verdict in rows:
        print(f"{name:<{width}}  {p50:>7} {p95:>7} {size:>8}  {verdict}")


if __name__ == "__main__":
    main()
