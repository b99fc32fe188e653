"""Charts of the monitoring read models (core.charts): 序时进度 per hospital × item.
Titles are msgids (``N_``), translated when the chart is built inside a request."""

from __future__ import annotations

from core.charts import Chart, Series
from core.i18n import N_
from procurement.names import NameBook
from settlement.monitoring.progress import ProgressReport


def progress_chart(report: ProgressReport, book: NameBook) -> Chart:
    """Completion (purchased selected ÷ agreed) against the time-proportional target, per
    hospital × item; purchased and agreed volumes and the non-selected share in the table."""
    rows = report.rows
    return Chart(
        "progress", str(N_("Progress per hospital and item")), str(N_("Hospital · item")),
        tuple(f"{book.org(r.hospital_code)} · {book.item(r.item_code)}" for r in rows),
        (Series(str(N_("Completion")), "%", "pct", tuple(r.completion_ratio for r in rows)),
         Series(str(N_("Time-proportional target")), "%", "pct", tuple(r.time_ratio for r in rows), kind="line"),
         Series(str(N_("Purchased")), "", "qty", tuple(r.purchased_selected for r in rows), drawn=False),
         Series(str(N_("Agreed volume")), "", "qty", tuple(r.agreed_volume for r in rows), drawn=False),
         Series(str(N_("Non-selected share")), "%", "pct", tuple(r.non_selected_share for r in rows), drawn=False)),
        horizontal=True)
