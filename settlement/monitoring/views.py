"""The dashboard page (/dashboard): how procurement is doing, for the province bureau, a city
bureau (its own hospitals) and each hospital (its own figures); each chart's data exports to Excel."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from accounts.roles import Role
from core.charts import Chart
from core.clock import local_day, utcnow
from orders.rules import OrderRefused
from orders.shares import Shares, ShareTargets, shares, spend_history, valid_period
from orders.spend import report_spend
from procurement.names import name_book
from procurement.queries import find_batch
from savings.queries import own_estimates
from settlement.monitoring.charts import dashboard_charts, progress_chart, shares_chart
from settlement.monitoring.dashboard import Dashboard, Targets, dashboard
from settlement.monitoring.queries import progress_report
from web.actions import act
from web.auth import requires
from web.charts import chart_download
from web.db import get_session

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
VIEWERS = (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.ADMIN, Role.HOSPITAL_BUYER)


class SpendForm(FlaskForm):
    """A hospital's total spend of one month on drugs or high-value consumables (on and off the
    platform): the denominator of its platform purchase share."""

    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice("drug", _l("Drugs")),
                                                SelectChoice("consumable", _l("High-value consumables"))])
    amount = StringField(_l("Total spend (yuan)"), validators=[DataRequired(), Length(max=30)])
    reason = StringField(_l("Reason of a correction"), validators=[Optional(), Length(max=200)])


def _period() -> str:
    """The period of the platform figures: ``?period=YYYY`` or ``YYYY-MM``, else this year."""
    raw = (request.args.get("period") or "").strip()
    if raw and valid_period(raw):
        return raw
    if raw:
        flash(_("The period must look like 2026 or 2026-12; showing this year."), "error")
    return str(local_day(utcnow()).year)


@bp.get("/")
@requires(*VIEWERS)
def index():
    """The actor's dashboard on today's date."""
    settings = current_app.extensions["jicai.settings"]
    targets = Targets(settings.vbp_target_drugs, settings.vbp_target_consumable_classes)
    d = dashboard(get_session(), g.actor, utcnow().date(), targets)
    figures = shares(get_session(), g.actor, _period(), ShareTargets(settings.platform_share_target_drugs_pct,
                                                                     settings.platform_share_target_consumables_pct))
    charts = dashboard_charts(d, by_city=g.actor.is_bureau) + _share_charts(figures)
    if g.actor.role == Role.HOSPITAL_BUYER:  # its own agreed volumes item by item
        charts += _own_progress(d)
    if (download := chart_download(charts, "dashboard")) is not None:
        return download
    own_savings = own_estimates(get_session(), g.actor, utcnow()) if g.actor.role == Role.HOSPITAL_BUYER else []
    hospital = g.actor.role == Role.HOSPITAL_BUYER
    form = SpendForm(month=local_day(utcnow()).isoformat()[:7]) if hospital else None
    return render_template("dashboard/index.html", d=d, charts={c.key: c for c in charts},
                           own=[c.key for c in charts if c.key.startswith("progress-")], own_savings=own_savings,
                           shares=figures, spend_form=form,
                           spend_rows=spend_history(get_session(), g.actor) if hospital else [])


def _share_charts(figures: Shares) -> list[Chart]:
    """The platform figures per city (bureaus) and per hospital."""
    out = []
    if g.actor.is_bureau:
        out.append(shares_chart("shares-by-city", _("Platform figures by city"), _("City"),
                                (replace(figures.total, label=_("All hospitals of the region")), *figures.cities)
                                if figures.cities else ()))
    out.append(shares_chart("shares-by-hospital", _("Platform figures by hospital"), _("Hospital"), figures.hospitals))
    return out


@bp.post("/spend")
@requires(Role.HOSPITAL_BUYER)
def spend():
    """The hospital reports (or corrects) a month's total spend."""
    form = SpendForm()
    if not form.validate_on_submit():
        flash("; ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("dashboard.index"))
    return act(lambda: report_spend(get_session(), g.actor, form.month.data, form.kind.data, form.amount.data,
                                    form.reason.data or "", utcnow()),
               _("Total spend recorded."), url_for("dashboard.index"), OrderRefused)


def _own_progress(d: Dashboard) -> list[Chart]:
    """A hospital's 序时进度 item by item, one chart per batch in execution."""
    db, today, out = get_session(), utcnow().date(), []
    for completion in d.by_batch:
        batch = find_batch(db, g.actor, completion.key)
        if batch is None:
            continue
        report, _names = progress_report(db, g.actor, batch, today)
        book = name_book(db, orgs={r.hospital_code for r in report.rows}, items={r.item_code for r in report.rows})
        title = _("%(batch)s: progress per item", batch=batch.name)
        out.append(progress_chart(report, book, key=f"progress-{batch.code}", title=title))
    return out
