"""Wire the web layer into an app: extensions, headers, errors, template helpers, blueprints."""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from flask import Flask, g, render_template, request, session
from flask_babel import Babel, lazy_gettext
from flask_wtf.csrf import CSRFError, CSRFProtect

from core import formats
from core.money import format_price_e4, format_yuan
from web import errors, listing
from web.auth import current_actor, login_manager
from web.db import app_settings, close_session
from web.guard import GuardedJSONProvider, GuardedRequest, refuse_hostile_input
from web.labels import label
from web.menu import current_group, menu_for
from web.messages import install as install_messages
from web.messages import message_text
from web.servers import neutral_server_header

csrf = CSRFProtect()
REQUEST_LOG = logging.getLogger("jicai.requests")
babel = Babel()
LOCALES = ("zh_Hans_CN", "en")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def _select_locale() -> str:
    """Chinese first: the language chosen in this browser, else the user's, else Chinese."""
    chosen = session.get("lang")
    if chosen in LOCALES:
        return chosen
    actor_locale = getattr(getattr(_user(), "user", None), "locale", None)
    return actor_locale if actor_locale in LOCALES else LOCALES[0]


def _user():
    """The Flask-Login user proxy's object (None when anonymous)."""
    from flask_login import current_user

    return current_user if current_user.is_authenticated else None


def _start_timer():
    """Remember when the request began (for the request log)."""
    g.request_started = time.monotonic()


def _log_request(response):
    """One structured JSON line per request: who (user, organisation), what, outcome, duration."""
    actor = current_actor()
    REQUEST_LOG.info(json.dumps({
        "event": "request", "method": request.method, "path": request.path, "status": response.status_code,
        "user": actor.username if actor else None, "org": actor.org_id if actor else None,
        "ms": round((time.monotonic() - g.get("request_started", time.monotonic())) * 1000, 1),
        "addr": request.remote_addr}, ensure_ascii=False))
    return response


HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response):
    """CSP, no framing, no sniffing, same-origin referrers on every response; HSTS in production
    (secure cookies on); ``no-store`` on everything but static files, so no page or download
    (bank files, workbooks, statements, slips: money and bids) stays in a browser or proxy cache."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if app_settings().secure_cookies:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


def _register_errors(app: Flask) -> None:
    """Readable pages for refused requests; never a stack trace."""

    def page(code: int, title, message):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    app.register_error_handler(CSRFError, lambda e: page(400, lazy_gettext("Form expired"),
                               lazy_gettext("The form was not accepted (CSRF check failed). Reload the page and try again.")))
    app.register_error_handler(403, lambda e: page(403, lazy_gettext("Not allowed"),
                               lazy_gettext("You do not have access to this page.")))
    app.register_error_handler(404, lambda e: page(404, lazy_gettext("Not found"),
                               lazy_gettext("There is no such page, or it is not visible to you.")))
    app.register_error_handler(413, lambda e: page(413, lazy_gettext("File too large"),
                               lazy_gettext("The upload exceeds the size limit of %(mb)s MB.",
                                            mb=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024))))
    app.register_error_handler(500, lambda e: page(500, lazy_gettext("Server error"),
                               lazy_gettext("Something went wrong; nothing was saved. Please try again.")))


def _template_helpers(app: Flask, tz_name: str) -> None:
    """Filters for Chinese money, number and date conventions (all from ``core.formats``), and
    the nav context."""

    def local_dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return formats.local_datetime(value, tz_name, fmt)

    app.jinja_env.filters.update(
        yuan=format_yuan, price=format_price_e4, dt=local_dt, d=formats.local_date, label=label,
        qty=formats.qty, pct=formats.pct, decimal=formats.plain_decimal, strength=formats.strength,
        spec=formats.spec_text, msg=message_text, yuan_text=formats.yuan_text,
        price_text=formats.price_text, gap=formats.gap)
    app.jinja_env.globals.update(pack_spec=formats.pack_spec, price=format_price_e4, yuan=format_yuan, qty=formats.qty)

    @app.context_processor
    def _nav():
        actor = current_actor()
        groups = menu_for(actor.role) if actor else []
        return {"actor": actor, "current_locale": _select_locale(), "locales": LOCALES,
                "menu": groups, "menu_current": current_group(groups, request.endpoint)}


def init_web(app: Flask, tz_name: str) -> None:
    """Install extensions, hooks and blueprints."""
    app.request_class = GuardedRequest
    app.json = GuardedJSONProvider(app)
    neutral_server_header()
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: tz_name)
    install_messages()
    login_manager.init_app(app)
    app.before_request(_start_timer)
    app.before_request(refuse_hostile_input)
    app.after_request(_security_headers)
    app.after_request(_log_request)
    app.teardown_appcontext(close_session)
    _register_errors(app)
    errors.register(app)
    _template_helpers(app, tz_name)
    listing.install(app)

    from accounts.views import account_bp
    from accounts.views import bp as accounts_bp
    from api.views import api as api_bp
    from api.views import ui as api_ui_bp
    from bidding.views import bp as bidding_bp
    from credit.views import bp as credit_bp
    from cycles.views import bp as cycles_bp
    from directpay.views import bp as directpay_bp
    from evaluation.views import bp as evaluation_bp
    from jobs.views import bp as jobs_bp
    from listing.views import bp as listing_bp
    from notices.views import bp as notices_bp
    from orders.views import bp as orders_bp
    from paystd.views import bp as paystd_bp
    from pricewatch.views import bp as pricewatch_bp
    from procurement.demand.views import bp as demand_bp
    from procurement.views import bp as procurement_bp
    from results.views import bp as results_bp
    from review.views import bp as review_bp
    from savings.views import bp as savings_bp
    from selfpay.views import bp as selfpay_bp
    from settlement.execution.views import bp as settlement_bp
    from settlement.monitoring.views import bp as dashboard_bp
    from settlement.payments.views import bp as settlement_payments_bp
    from settlement.runs.views import bp as settlement_officer_bp
    from supply.views import bp as supply_bp
    from web.downloads import bp as downloads_bp
    from web.views import bp as shell_bp

    app.register_blueprint(shell_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(procurement_bp)
    app.register_blueprint(demand_bp)
    app.register_blueprint(bidding_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(listing_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(selfpay_bp)
    app.register_blueprint(directpay_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(cycles_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(api_ui_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # token-authenticated, no cookies: CSRF does not apply
    app.register_blueprint(settlement_bp)
    app.register_blueprint(settlement_officer_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(settlement_payments_bp)
    app.register_blueprint(supply_bp)
    app.register_blueprint(credit_bp)
    app.register_blueprint(savings_bp)
    app.register_blueprint(paystd_bp)
    app.register_blueprint(pricewatch_bp)
    app.register_blueprint(downloads_bp)
