"""The jobs page: every job in the job store with its next run, the scheduler's heartbeat and
the recent runs (bureau roles)."""

from __future__ import annotations

from flask import Blueprint, render_template

from accounts.roles import Role
from core.clock import utcnow
from jobs.queries import recent_runs, scheduled_jobs, scheduler_status
from web.auth import requires
from web.db import get_session

bp = Blueprint("jobs", __name__)


@bp.get("/jobs")
@requires(Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN)
def jobs_page():
    """Every scheduled job and its next run, the heartbeat, and recent runs with outcome and duration."""
    session = get_session()
    return render_template("jobs/jobs.html", jobs=scheduled_jobs(session), status=scheduler_status(session, utcnow()),
                           runs=recent_runs(session))
