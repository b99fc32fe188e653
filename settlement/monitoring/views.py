"""The dashboard page (/dashboard): how procurement is doing, for the province bureau, a city
bureau (its own hospitals) and each hospital (its own figures); each chart's data exports to Excel."""

from __future__ import annotations

from flask import Blueprint, current_app, g, render_template
from flask_babel import gettext as _

from accounts.roles import Role
from core.charts import Chart
from core.clock import utcnow
from procurement.names import name_book
from procurement.queries import find_batch
from savings.queries import own_estimates
from settlement.monitoring.charts import dashboard_charts, progress_chart
from settlement.monitoring.dashboard import Dashboard, Targets, dashboard
from settlement.monitoring.queries import progress_report
from web.auth import requires
from web.charts import chart_download
from web.db import get_session

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
VIEWERS = (Role.SETTLEMENT_OFFICER, Role.PRICE_OFFICER, Role.ADMIN, Role.HOSPITAL_BUYER)


@bp.get("/")
@requires(*VIEWERS)
def index():
    """The actor's dashboard on today's date."""
    settings = current_app.extensions["jicai.settings"]
    targets = Targets(settings.vbp_target_drugs, settings.vbp_target_consumable_classes)
    d = dashboard(get_session(), g.actor, utcnow().date(), targets)
    charts = dashboard_charts(d, by_city=g.actor.is_bureau)
    if g.actor.role == Role.HOSPITAL_BUYER:  # its own agreed volumes item by item
        charts += _own_progress(d)
    if (download := chart_download(charts, "dashboard")) is not None:
        return download
    own_savings = own_estimates(get_session(), g.actor, utcnow()) if g.actor.role == Role.HOSPITAL_BUYER else []
    return render_template("dashboard/index.html", d=d, charts={c.key: c for c in charts},
                           own=[c.key for c in charts if c.key.startswith("progress-")], own_savings=own_savings)


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
