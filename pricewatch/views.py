"""Price-monitoring pages (thin routes): alerts and runs, an alert with its evidence, follow-ups
and closing, the region's rules, other provinces' prices (form and workbook), the
deep-monitoring list and the monthly indicator report with its charts and workbook."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from accounts.roles import Role
from core.clock import utcnow
from core.i18n import either
from core.inputs import InputError, decimal, whole
from core.money import MoneyError, parse_price_e4
from imports.errors import WorkbookError
from imports.errors_workbook import build_error_workbook
from listing.services import local_date
from pricewatch import alerts, lists, monitor, queries
from pricewatch.charts import report_charts
from pricewatch.errors import WatchError
from pricewatch.export import report_workbook
from pricewatch.forms import (
    FollowUpForm,
    NoteForm,
    ProvincePriceForm,
    RunForm,
    UploadForm,
    WatchForm,
)
from pricewatch.report import month_report, this_month
from pricewatch.rules import RULES, SEVERITIES, WatchRules, month_period
from pricewatch.store import policy_row, rules_for, set_rules
from web.actions import act as _run
from web.auth import requires
from web.charts import chart_download
from web.db import get_session
from web.downloads import hold, xlsx_download
from web.forms import EmptyForm
from web.labels import label
from web.listing import list_query

bp = Blueprint("pricewatch", __name__)
BUREAU = (Role.PRICE_OFFICER, Role.SETTLEMENT_OFFICER, Role.ADMIN)


def act(action, success: str, target: str):
    """Run a use case of this package (its refusals flashed); see ``web.actions.act``."""
    return _run(action, success, target, WatchError)


def _month(raw: str | None) -> str:
    """A ``YYYY-MM`` query value (blank: this month); else a 400 naming it."""
    if not raw:
        return this_month(local_date(utcnow()))
    try:
        month_period(raw)
    except ValueError as exc:
        raise InputError("month", "月份应为 2026-11 格式", "a month like 2026-11") from exc
    return raw


@bp.get("/pricewatch/")
@requires(*BUREAU)
def index():
    """The region's alerts (paged, filtered) and the latest runs."""
    session = get_session()
    page = lists.alert_page(session, g.actor, list_query(sorts=lists.ALERT_SORTS, filters=lists.ALERT_FILTERS))
    keys = {a.product_key for a in page.rows}
    return render_template("pricewatch/index.html", p=page, names=queries.key_names(session, keys),
                           orgs=queries.org_names(session, {a.hospital_org_id for a in page.rows}
                                                  | {a.supplier_org_id for a in page.rows}),
                           runs=queries.runs(session, g.actor), form=RunForm(formdata=None,
                                                                             month=_month(None)),
                           rules=[(r, label(r, "watch_rule")) for r in RULES],
                           severities=[(s, label(s, "severity")) for s in lists.SEVERITIES],
                           statuses=[(s, label(s, "alert")) for s in lists.ALERT_STATUSES])


@bp.post("/pricewatch/run")
@requires(Role.PRICE_OFFICER)
def run():
    """Run the monitoring for a month."""
    form = RunForm()
    if not form.validate_on_submit():
        abort(400)
    month = _month(form.month.data)
    start, end = month_period(month)
    done = monitor.run_monitoring(get_session(), g.actor, month, start, end, utcnow())
    flash(_("Monitoring of %(month)s done: %(n)s observations collected, %(k)s alerts raised.", month=month,
            n=done.collected, k=done.raised), "success")
    return redirect(url_for("pricewatch.index"))


@bp.get("/pricewatch/alerts/<int:alert_id>")
@requires(*BUREAU)
def alert(alert_id: int):
    """An alert: its evidence, follow-ups and closing."""
    view = queries.alert_view(get_session(), g.actor, alert_id)
    if view is None:
        abort(404)
    return render_template("pricewatch/alert.html", v=view, form=FollowUpForm(), close_form=NoteForm())


def _alert_or_404(alert_id: int) -> None:
    if queries.alert_view(get_session(), g.actor, alert_id) is None:
        abort(404)


@bp.post("/pricewatch/alerts/<int:alert_id>/followup")
@requires(Role.PRICE_OFFICER)
def followup(alert_id: int):
    """Record a follow-up."""
    _alert_or_404(alert_id)
    form = FollowUpForm()
    target = url_for("pricewatch.alert", alert_id=alert_id)
    if not form.validate_on_submit():
        flash(_("Please choose the follow-up and write a note."), "error")
        return redirect(target)
    return act(lambda: alerts.follow_up(get_session(), g.actor, alert_id, form.kind.data, form.note.data, utcnow()),
               _("Follow-up recorded."), target)


@bp.post("/pricewatch/alerts/<int:alert_id>/close")
@requires(Role.PRICE_OFFICER)
def close(alert_id: int):
    """Close the alert with a note."""
    _alert_or_404(alert_id)
    form = NoteForm()
    target = url_for("pricewatch.alert", alert_id=alert_id)
    if not form.validate_on_submit():
        flash(_("Please write the closing note."), "error")
        return redirect(target)
    return act(lambda: alerts.close_alert(get_session(), g.actor, alert_id, form.note.data, utcnow()),
               _("Alert closed."), target)


NUMBERS = ("raise_pct", "peer_pct", "peer_min", "non_selected_multiple", "provinces_n")
PERCENTS = ("raise_pct", "peer_pct")
SEVERITY_FIELDS = ("raise_severity", "peer_severity", "non_selected_severity", "provinces_severity", "paystd_severity")


@bp.route("/pricewatch/rules", methods=["GET", "POST"])
@requires(*BUREAU)
def rules():
    """The region's monitoring rules with their severities; price officers change them."""
    session = get_session()
    current = rules_for(session, g.actor.region_code)
    if request.method == "POST":
        if g.actor.role != Role.PRICE_OFFICER:
            abort(403)
        if not EmptyForm().validate_on_submit():
            abort(400)
        values = current.model_dump()
        try:
            for name in NUMBERS:
                raw = (request.form.get(name) or "").strip()
                if name in ("peer_min", "provinces_n"):
                    values[name] = whole(raw, name, 1, 1000)
                else:
                    number = decimal(raw, name, places=4)
                    values[name] = number / 100 if name in PERCENTS else number
            for key in SEVERITY_FIELDS:
                values[key] = request.form.get(key, values[key])
            row = set_rules(session, g.actor, WatchRules(**values), utcnow())
        except (InputError, ValueError):
            flash(_("The rules were not saved: every threshold is a number within its bounds."), "error")
        else:
            flash(_("Monitoring rules saved.") if row else _("Nothing changed."), "success")
            return redirect(url_for("pricewatch.rules"))
    return render_template("pricewatch/rules.html", r=current, row=policy_row(session, g.actor.region_code),
                           form=EmptyForm(), severities=[(s, label(s, "severity") if s != "off" else _("Off"))
                                                          for s in SEVERITIES],
                           editable=g.actor.role == Role.PRICE_OFFICER)


@bp.route("/pricewatch/provinces", methods=["GET", "POST"])
@requires(*BUREAU)
def provinces():
    """Other provinces' prices: the list, one entered by form."""
    session = get_session()
    form = ProvincePriceForm()
    if request.method == "POST":
        if g.actor.role != Role.PRICE_OFFICER:
            abort(403)
        if form.validate_on_submit():
            try:
                price = parse_price_e4(form.price.data.strip().replace(",", ""))
                alerts.add_province_prices(session, g.actor, [alerts.ProvincePriceInput(
                    form.product_code.data.strip(), form.province.data, price, form.observed_on.data,
                    form.source.data or "")], utcnow(), local_date(utcnow()))
            except MoneyError:
                flash(_("The price is yuan with at most 4 decimals."), "error")
            except WatchError as exc:
                flash(exc.args[0], "error")
            else:
                flash(_("Price recorded."), "success")
                return redirect(url_for("pricewatch.provinces"))
        else:
            flash(_("Please fill in every field."), "error")
    return render_template("pricewatch/provinces.html", form=form, rows=queries.province_prices(session, g.actor),
                           workbook_form=UploadForm(), note_form=NoteForm(), errors=[], error_count=0,
                           error_token=None)


@bp.get("/pricewatch/provinces/template.xlsx")
@requires(*BUREAU)
def province_template():
    """The empty workbook of other provinces' prices."""
    from pricewatch.workbook import build_province_template

    return xlsx_download(build_province_template(), "province-prices-template.xlsx")


@bp.post("/pricewatch/provinces/upload")
@requires(Role.PRICE_OFFICER)
def province_upload():
    """Other provinces' prices from a workbook: all or nothing, the marked-up workbook when refused."""
    from pricewatch.uploads import upload_province_prices

    session = get_session()
    form = UploadForm()
    errors, error_token, error_count = [], None, 0
    if form.validate_on_submit():
        data, name = form.file.data.read(), form.file.data.filename or "province-prices.xlsx"
        try:
            result = upload_province_prices(session, g.actor, data, name, utcnow(), local_date(utcnow()))
            if result.errors:
                errors, error_count = [e.shown() for e in result.errors], result.error_count
                error_token = hold(build_error_workbook(data, result.errors, filename=name), f"errors-{name}",
                                   g.actor.user_id)
            else:
                flash(_("%(n)s prices recorded.", n=result.stored), "success")
                return redirect(url_for("pricewatch.provinces"))
        except WorkbookError as exc:
            errors = [f"{name}: {either(exc.zh, exc.en)}"]
    else:
        errors = [_("Choose a workbook to upload.")]
    return render_template("pricewatch/provinces.html", form=ProvincePriceForm(formdata=None),
                           rows=queries.province_prices(session, g.actor), workbook_form=form, note_form=NoteForm(),
                           errors=errors[:50], error_count=max(error_count, len(errors)), error_token=error_token)


@bp.post("/pricewatch/provinces/<int:price_id>/withdraw")
@requires(Role.PRICE_OFFICER)
def province_withdraw(price_id: int):
    """Withdraw a province price entered by mistake."""
    if queries.province_price_of(get_session(), g.actor, price_id) is None:
        abort(404)
    form = NoteForm()
    target = url_for("pricewatch.provinces")
    if not form.validate_on_submit():
        flash(_("Please give the reason."), "error")
        return redirect(target)
    return act(lambda: alerts.withdraw_province_price(get_session(), g.actor, price_id, form.note.data, utcnow()),
               _("Price withdrawn."), target)


@bp.route("/pricewatch/deep", methods=["GET", "POST"])
@requires(*BUREAU)
def deep():
    """The deep-monitoring list (watched weekly)."""
    session = get_session()
    form = WatchForm()
    if request.method == "POST":
        if g.actor.role != Role.PRICE_OFFICER:
            abort(403)
        if form.validate_on_submit():
            return act(lambda: alerts.watch_product(session, g.actor, form.product_code.data.strip(),
                                                    form.reason.data, utcnow()),
                       _("Product added to the deep-monitoring list."), url_for("pricewatch.deep"))
        flash(_("Please fill in every field."), "error")
    return render_template("pricewatch/deep.html", form=form, rows=queries.watched(session, g.actor),
                           note_form=NoteForm())


@bp.post("/pricewatch/deep/<int:watched_id>/remove")
@requires(Role.PRICE_OFFICER)
def unwatch(watched_id: int):
    """Take a product off the deep-monitoring list."""
    if queries.watched_of(get_session(), g.actor, watched_id) is None:
        abort(404)
    form = NoteForm()
    target = url_for("pricewatch.deep")
    if not form.validate_on_submit():
        flash(_("Please give the reason."), "error")
        return redirect(target)
    return act(lambda: alerts.unwatch_product(get_session(), g.actor, watched_id, form.note.data, utcnow()),
               _("Product taken off the list."), target)


@bp.get("/pricewatch/report")
@requires(*BUREAU)
def report():
    """The monthly indicator report: charts with their tables, per product, hospital and supplier."""
    month = _month(request.args.get("month"))
    data = month_report(get_session(), g.actor, month)
    charts = report_charts(data, _)
    return chart_download(charts, f"price-report-{month}") or render_template(
        "pricewatch/report.html", r=data, charts=charts)


@bp.get("/pricewatch/report.xlsx")
@requires(*BUREAU)
def report_xlsx():
    """The monthly indicator report as a workbook."""
    month = _month(request.args.get("month"))
    return xlsx_download(report_workbook(month_report(get_session(), g.actor, month), _),
                         f"price-report-{month}.xlsx")
