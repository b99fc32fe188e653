"""Test helpers for the scheduler."""

from __future__ import annotations

from apscheduler.schedulers.base import BaseScheduler


class StoreOnly(BaseScheduler):
    """A scheduler without a loop: starting it only writes the registered jobs to the store."""

    def wakeup(self) -> None:
        """Nothing runs."""

    def shutdown(self, wait: bool = True) -> None:
        """Stop (closing the executors and stores)."""
        super().shutdown(wait)
