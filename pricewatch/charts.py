"""The report's charts (``core.charts.Chart``: the drawing, the table beside it and its Excel
sheet from the same figures)."""

from __future__ import annotations

from core.charts import Chart, Series
from pricewatch.report import Report


def report_charts(report: Report, _) -> list[Chart]:
    """Alerts raised and closed over twelve months; the month's price index per product."""
    alerts = Chart("alerts", _("Alerts raised and closed by month"), _("Month"), tuple(report.months), (
        Series(_("Raised"), _("alerts"), "qty", tuple(report.raised_by_month)),
        Series(_("Closed"), _("alerts"), "qty", tuple(report.closed_by_month), kind="line")))
    priced = [p for p in report.products if p.average_e4]
    index = Chart("index", _("Price index against last month and dispersion across hospitals"), _("Product"),
                  tuple(p.name for p in priced), (
                      Series(_("Price index"), "%", "pct", tuple(p.index for p in priced)),
                      Series(_("Dispersion"), "%", "pct", tuple(p.dispersion for p in priced), kind="line")),
                  horizontal=True)
    return [alerts, index]
