"""Shell pages: landing page per role, login, logout, language switch, health."""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import text

from accounts.services import LoginPolicy, actor_for, authenticate
from accounts.sessions import EndReason, end_session, start_session
from core.clock import utcnow
from credit.tasks import credit_tasks
from jobs.queries import scheduler_status
from procurement.tasks import most_urgent_first, tasks_for
from review.tasks import contract_tasks, review_tasks
from supply.tasks import supply_tasks
from web.auth import LoginUser, public, requires
from web.db import app_settings, get_session
from web.forms import EmptyForm, LoginForm
from web.setup import LOCALES

bp = Blueprint("shell", __name__)


@bp.get("/")
@requires()
def index():
    """The landing page: what this role must do next."""
    session, now = get_session(), utcnow()
    tasks = most_urgent_first(tasks_for(session, g.actor, now) + review_tasks(session, g.actor, now)
                              + contract_tasks(session, g.actor) + supply_tasks(session, g.actor, now)
                              + credit_tasks(session, g.actor, now), now)
    return render_template("shell/landing.html", tasks=tasks, now=now)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in; failures are throttled and never say whether the account exists."""
    form = LoginForm()
    if form.validate_on_submit():
        cfg = app_settings()
        policy = LoginPolicy(cfg.login_max_failures, cfg.login_window_seconds,
                             cfg.login_address_free_failures, cfg.login_address_max_delay_seconds)
        db = get_session()
        address = request.remote_addr or "unknown"  # the client's, via ProxyFix behind trusted proxies
        outcome = authenticate(db, form.username.data, form.password.data, address, policy)
        if outcome.user is not None:
            session.clear()
            token = start_session(db, outcome.user, address, utcnow())
            login_user(LoginUser(outcome.user, actor_for(db, outcome.user), token))
            return redirect(url_for("shell.index"))
        if outcome.throttled:
            flash(_("Too many failed attempts. Please wait a few minutes and try again."), "error")
        else:
            flash(_("Wrong username or password."), "error")
        return render_template("shell/login.html", form=form), 401 if not outcome.throttled else 429
    return render_template("shell/login.html", form=form)


@bp.post("/logout")
@requires()
def logout():
    """Sign out: the server-side session ends, so a copy of the cookie stops working too."""
    if EmptyForm().validate_on_submit():
        end_session(get_session(), current_user.get_id(), EndReason.LOGOUT, utcnow())
        logout_user()
        session.clear()
    return redirect(url_for("shell.login"))


@bp.post("/lang/<code>")
@public
def set_language(code: str):
    """Switch between Chinese and English for this browser."""
    if EmptyForm().validate_on_submit() and code in LOCALES:
        session["lang"] = code
    target = request.referrer or url_for("shell.index")
    if not target.startswith(request.host_url):
        target = url_for("shell.index")
    return redirect(target)


@bp.get("/healthz")
@public
def health():
    """Liveness for load balancers: the database (503 when down) and the scheduler heartbeat."""
    try:
        session = get_session()
        session.execute(text("SELECT 1"))
        scheduler = scheduler_status(session, utcnow()).state
    except Exception:  # noqa: BLE001 - report, never raise, from a health probe
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok", scheduler=scheduler)
