"""Drive the clients: hospitals arrive over the whole run through a thread pool; every supplier
has its own thread, signs in first, and bids only inside the last minute before the deadline.

Timeline (wall clock; the server runs on the same host):

    t0 ── suppliers sign in (staggered), hospitals arriving throughout ─────────────────┐
    all suppliers ready → the run sets the bid deadline = now + lead + window           │
    deadline − window … deadline: first bids, amendments (some in the last seconds)      │
    opening time (= the deadline by default): the bids are opened, as the scheduler would
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from loadtest.client import Browser
from loadtest.hospitals import HospitalRun, run_hospital
from loadtest.seed import Plan
from loadtest.stats import Recorder
from loadtest.suppliers import SupplierRun, run_supplier


@dataclass
class Options:
    """Sizes and timing of a run."""

    threads: int = 60  # hospital client threads (suppliers have one thread each)
    window: float = 60.0  # the last minute before the deadline
    spread: float = 180.0  # hospitals arrive uniformly over this many seconds
    login_spread: float = 30.0  # suppliers sign in over this many seconds
    lead: float = 3.0  # from "all suppliers ready" to the window's start
    opening_delay: float = 0.0  # opening time − deadline
    seed: int = 2026


@dataclass
class Outcome:
    """What the clients did, for the checks and the report."""

    hospitals: list[HospitalRun] = field(default_factory=list)
    suppliers: list[SupplierRun] = field(default_factory=list)
    deadline: float = 0.0
    window_start: float = 0.0
    opened_at: float = 0.0
    opening_error: str = ""
    elapsed: float = 0.0


def _rng(seed: int) -> random.Random:
    """A reproducible generator for the load's shape (not for secrets)."""
    return random.Random(seed)  # noqa: S311


class _Window:
    """Shared between the coordinator and the supplier threads."""

    def __init__(self, suppliers: int) -> None:
        """Nobody is ready and no deadline is set yet."""
        self.lock = threading.Lock()
        self.ready_count, self.expected = 0, suppliers
        self.all_ready, self.go = threading.Event(), threading.Event()
        self.start = self.deadline = 0.0

    def ready(self) -> None:
        """A supplier finished (or failed) its preparation."""
        with self.lock:
            self.ready_count += 1
            if self.ready_count >= self.expected:
                self.all_ready.set()


def _schedule(rng: random.Random, start: float, deadline: float) -> list[float]:
    """First bid early in the window, 1–3 amendments after it; a fifth of the suppliers
    send their last amendment in the final three seconds."""
    span = deadline - start
    first = start + rng.uniform(0, 0.25 * span)
    amendments = sorted(start + rng.uniform(0.25 * span, span - 3) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.2:
        amendments[-1] = deadline - rng.uniform(0.2, 3.0)
    return [first, *sorted(amendments)]


def run(base_url: str, plan: Plan, opts: Options, set_deadline: Callable[[float, float], None],
        open_bids: Callable[[], None]) -> tuple[Outcome, Recorder]:
    """Run every client to the end; ``set_deadline(deadline, opening)`` and ``open_bids()``
    act on the database (the bureau's timeline and the scheduler's opening)."""
    recorder, outcome = Recorder(), Outcome()
    master = _rng(opts.seed)
    window = _Window(len(plan.suppliers))
    t0 = time.time()

    def hospital(n: int, arrival: float, seed: int, bad_first: bool, reupload: bool) -> HospitalRun:
        time.sleep(max(0.0, t0 + arrival - time.time()))
        return run_hospital(base_url, recorder, plan, plan.hospitals[n], _rng(seed), bad_first, reupload)

    def supplier_window(_run: SupplierRun, rng: random.Random):
        window.go.wait()
        return _schedule(rng, window.start, window.deadline), window.deadline

    def supplier(n: int, seed: int) -> None:
        rng = _rng(seed)
        account = plan.suppliers[n]
        items = tuple(rng.sample(plan.bid_items, 2 if len(plan.bid_items) >= 2 else 1))
        srun = SupplierRun(account, "form" if n % 2 == 0 else "workbook", items)
        outcome.suppliers.append(srun)
        time.sleep(rng.uniform(0, opts.login_spread))
        run_supplier(Browser(base_url, recorder), plan, srun, rng, lambda r: supplier_window(r, rng), window.ready)

    arrivals = sorted((master.uniform(0, opts.spread), n) for n in range(len(plan.hospitals)))
    pool = ThreadPoolExecutor(max_workers=max(1, opts.threads), thread_name_prefix="hospital")
    futures = [pool.submit(hospital, n, at, master.getrandbits(32), master.random() < 0.1, master.random() < 0.3)
               for at, n in arrivals]
    threads = [threading.Thread(target=supplier, args=(n, master.getrandbits(32)), name=f"supplier-{n}", daemon=True)
               for n in range(len(plan.suppliers))]
    for thread in threads:
        thread.start()
    if not threads:
        window.all_ready.set()
    window.all_ready.wait(timeout=opts.login_spread + 600)
    window.start = time.time() + opts.lead
    window.deadline = window.start + opts.window
    set_deadline(window.deadline, window.deadline + opts.opening_delay)
    outcome.window_start, outcome.deadline = window.start, window.deadline
    window.go.set()
    _open_at(window.deadline + opts.opening_delay, open_bids, outcome)
    for thread in threads:
        thread.join()
    outcome.hospitals = [f.result() for f in futures]
    pool.shutdown()
    outcome.elapsed = time.time() - t0
    return outcome, recorder


def _open_at(when: float, open_bids: Callable[[], None], outcome: Outcome) -> None:
    """At the opening time, open the bids (retrying a moment while the clock says "not yet")."""
    time.sleep(max(0.0, when - time.time()))
    for _attempt in range(100):
        try:
            open_bids()
        except Exception as exc:  # noqa: BLE001 - reported by the checks
            outcome.opening_error = f"{type(exc).__name__}: {exc}"
            if "not been reached" in str(exc):
                time.sleep(0.05)
                continue
            return
        outcome.opened_at, outcome.opening_error = time.time(), ""
        return
