"""The web layer's answers to refused requests, registered once for every route.

- :class:`core.inputs.InputError` (the input guard, bounded parsing): 400 page naming the field;
  the API answers 422 in its error shape.
- Domain refusals (:data:`REFUSALS`: a lifecycle step not allowed now, a rule refused): the
  message flashed on the page the user came from (a same-site referrer), else a 409 page; the
  API answers 409 ``refused``. Views still catch the refusals they expect to show in place;
  this handler is the floor, so no refusal is ever a 500.
- Values a domain reader refused (:data:`INVALID`: money, rule settings): like the input guard.

Every answer goes out with the request's session rolled back (``web.db.close_session``):
nothing is written by a refused request.
"""

from __future__ import annotations

from flask import Flask, flash, jsonify, redirect, render_template, request
from flask_babel import lazy_gettext

from accounts.passwords import PasswordPolicyError
from accounts.services import AccountError
from bidding.keys import SealingError
from bidding.pricing import PricingError
from bidding.receipts import CanonicalError
from bidding.services import BidRefused, OpeningError
from core.i18n import Msg, current_language
from core.inputs import InputError
from core.money import MoneyError
from evaluation.services import EvaluationError
from imports.errors import WorkbookError
from procurement.demand.services import DemandError
from procurement.rules import RuleError
from procurement.services import BatchError
from procurement.timeline import TimelineError
from review.services import ReviewError
from settlement.execution.deliveries import SettlementRefused
from settlement.money.data import SettlementError
from settlement.payments.bankfiles import BankFileError
from settlement.payments.bankreturns import BankReturnError
from web.messages import message_text

#: Refusals by the domain's rules (state, lifecycle, four-eyes …): 409.
REFUSALS: tuple[type[Exception], ...] = (
    AccountError, BatchError, BidRefused, DemandError, EvaluationError, OpeningError, ReviewError,
    SealingError, SettlementRefused, SettlementError, BankFileError, BankReturnError, WorkbookError,
)
#: Values a domain reader refused: 400 (pages) / 422 (API).
INVALID: tuple[type[Exception], ...] = (MoneyError, RuleError, TimelineError, PricingError, CanonicalError, PasswordPolicyError)


def _is_api() -> bool:
    """Whether the request is for the JSON API (its error shape, never a page)."""
    return request.blueprint == "api" or request.path.startswith("/api/")


def _api_error(status: int, code: str, message: str, fields: dict[str, str] | None = None):
    """The API's one error shape (as :func:`api.views.error`)."""
    return jsonify(error={"code": code, "message": message, "fields": fields or {}}), status


def _page(code: int, title, message):
    """The readable error page."""
    return render_template("errors/error.html", code=code, title=title, message=message), code


def _back_to_referrer():
    """A redirect to the same-site page the request came from, or None."""
    target = request.referrer or ""
    if request.method != "GET" and target.startswith(request.host_url):
        return redirect(target, code=303)
    return None


def message_of(exc: Exception) -> str:
    """The refusal's Chinese / English text (sealing errors keep the two apart)."""
    source = getattr(exc, "reason", exc)  # a pricing refusal carries its reason
    zh, en = getattr(source, "message_zh", None), getattr(source, "message_en", None)
    if zh and en:
        return f"{zh} / {en}"
    message = exc.args[0] if len(exc.args) == 1 else str(exc)
    return f"{message.english()}" if isinstance(message, Msg) else str(message)


def shown_of(exc: Exception) -> str:
    """The refusal as the page shows it: in the reader's language."""
    source = getattr(exc, "reason", exc)
    zh, en = getattr(source, "message_zh", None), getattr(source, "message_en", None)
    if zh and en:
        return zh if current_language() == "zh" else en
    return message_text(exc)


def input_refused(exc: InputError):
    """400 page / 422 JSON naming the refused field."""
    if _is_api():
        return _api_error(422, "invalid_input", f"请求数据无效 / invalid request data: {exc.field}", exc.fields)
    reason = exc.zh if current_language() == "zh" else exc.en
    return _page(400, lazy_gettext("Invalid input"),
                 lazy_gettext("The value of “%(field)s” was not accepted: %(reason)s. Nothing was saved.",
                              field=exc.field, reason=reason))


def _answer(exc: Exception, api_status: int, api_code: str, page_status: int, title):
    """Answer a refusal: the API in its error shape; a page by flashing the reason on the page
    the user came from (a same-site referrer), else an error page."""
    if _is_api():
        return _api_error(api_status, api_code, message_of(exc))
    message = shown_of(exc)
    back = _back_to_referrer()
    if back is not None:
        flash(message, "error")
        return back
    return _page(page_status, title, message)


def domain_refused(exc: Exception):
    """A domain refusal: flash it on the page the user came from, else a 409 page; API 409."""
    return _answer(exc, 409, "refused", 409, lazy_gettext("Not possible now"))


def value_refused(exc: Exception):
    """A value a domain reader refused: 400 page / 422 JSON."""
    return _answer(exc, 422, "rejected", 400, lazy_gettext("Invalid input"))


def register(app: Flask) -> None:
    """Install the handlers on the app (they apply to every blueprint, the API included)."""
    app.register_error_handler(InputError, input_refused)
    for cls in REFUSALS:
        app.register_error_handler(cls, domain_refused)
    for cls in INVALID:
        app.register_error_handler(cls, value_refused)
