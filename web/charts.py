"""Excel export of a chart's data: a page that shows charts answers ``?chart=KEY`` with that
chart's rows as a workbook (``core.charts.Chart.workbook``, through ``core.export``); the link is
written by ``web/templates/_chart.html``."""

from __future__ import annotations

from collections.abc import Sequence

from flask import abort, request

from core.charts import Chart, find
from web.downloads import xlsx_download


def chart_download(charts: Sequence[Chart], name: str):
    """The workbook of the chart ``?chart=`` names (404 for an unknown one), or None when the
    request asks for the page itself."""
    key = request.args.get("chart")
    if key is None:
        return None
    chart = find(charts, key)
    if chart is None:
        abort(404)
    return xlsx_download(chart.workbook(), f"{name}-{chart.title}.xlsx")
