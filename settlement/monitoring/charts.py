"""Charts of the monitoring read models (core.charts): 序时进度 per hospital × item, and the
dashboard's savings, price cuts and completion by batch and city.
Titles are msgids (``N_``), translated when the chart is built inside a request."""

from __future__ import annotations

from core.charts import Chart, Series
from core.i18n import N_
from orders.shares import ShareRow
from procurement.names import NameBook
from settlement.monitoring.dashboard import Completion, Dashboard
from settlement.monitoring.progress import ProgressReport


def progress_chart(report: ProgressReport, book: NameBook, key: str = "progress", title: str | None = None) -> Chart:
    """Completion (purchased selected ÷ agreed) against the time-proportional target, per
    hospital × item; purchased and agreed volumes and the non-selected share in the table."""
    rows = report.rows
    return Chart(
        key, title or str(N_("Progress per hospital and item")), str(N_("Hospital · item")),
        tuple(f"{book.org(r.hospital_code)} · {book.item(r.item_code)}" for r in rows),
        (Series(str(N_("Completion")), "%", "pct", tuple(r.completion_ratio for r in rows)),
         Series(str(N_("Time-proportional target")), "%", "pct", tuple(r.time_ratio for r in rows), kind="line"),
         Series(str(N_("Purchased")), "", "qty", tuple(r.purchased_selected for r in rows), drawn=False),
         Series(str(N_("Agreed volume")), "", "qty", tuple(r.agreed_volume for r in rows), drawn=False),
         Series(str(N_("Non-selected share")), "%", "pct", tuple(r.non_selected_share for r in rows), drawn=False)),
        horizontal=True)


def savings_chart(d: Dashboard) -> Chart:
    """Savings against pre-VBP prices per year of purchase, and cumulative."""
    years = d.savings
    return Chart("savings", str(N_("Savings against pre-VBP prices")), str(N_("Year")),
                 tuple(str(y.year) for y in years),
                 (Series(str(N_("Savings in the year")), str(N_("yuan")), "yuan", tuple(y.saving_fen for y in years)),
                  Series(str(N_("Cumulative savings")), str(N_("yuan")), "yuan",
                         tuple(y.cumulative_fen for y in years), kind="line")))


def cuts_chart(d: Dashboard) -> Chart:
    """Average price cut per batch (over its items with a pre-VBP price)."""
    return Chart("cuts", str(N_("Average price cut per batch")), str(N_("Batch")),
                 tuple(f"{c.code} {c.name}" for c in d.cuts),
                 (Series(str(N_("Average price cut")), "%", "pct", tuple(c.average_cut for c in d.cuts)),
                  Series(str(N_("Items with a pre-VBP price")), "", "qty", tuple(c.items for c in d.cuts), drawn=False)),
                 horizontal=True)


def completion_chart(key: str, title: str, category: str, rows: tuple[Completion, ...]) -> Chart:
    """Agreed-volume completion against the time-proportional target (序时进度)."""
    return Chart(key, title, category, tuple(r.label for r in rows),
                 (Series(str(N_("Completion")), "%", "pct", tuple(r.completion for r in rows)),
                  Series(str(N_("Time-proportional target")), "%", "pct", tuple(r.time_ratio for r in rows), kind="line"),
                  Series(str(N_("Purchased")), "", "qty", tuple(r.purchased for r in rows), drawn=False),
                  Series(str(N_("Agreed volume")), "", "qty", tuple(r.agreed for r in rows), drawn=False)),
                 horizontal=True)


def dashboard_charts(d: Dashboard, *, by_city: bool) -> list[Chart]:
    """The dashboard's charts (the city breakdown for bureaus only)."""
    charts = [savings_chart(d), cuts_chart(d),
              completion_chart("by-batch", str(N_("Agreed-volume completion by batch")), str(N_("Batch")), d.by_batch)]
    if by_city:
        charts.append(completion_chart("by-city", str(N_("Agreed-volume completion by city")), str(N_("City")),
                                       d.by_city))
    return charts


def shares_chart(key: str, title: str, category: str, rows: tuple[ShareRow, ...]) -> Chart:
    """Platform purchase share per kind, VBP share and non-selected share (orders.shares); the
    sums in fen behind each ratio in the table."""
    return Chart(key, title, category, tuple(r.label for r in rows),
                 (Series(str(N_("Platform share of drug spend")), "%", "pct",
                         tuple(r.platform_share("drug") for r in rows)),
                  Series(str(N_("Platform share of high-value consumable spend")), "%", "pct",
                         tuple(r.platform_share("consumable") for r in rows)),
                  Series(str(N_("VBP share")), "%", "pct", tuple(r.vbp_share for r in rows)),
                  Series(str(N_("Non-selected share")), "%", "pct", tuple(r.non_selected_share for r in rows)),
                  Series(str(N_("Reported drug spend")), str(N_("yuan")), "yuan",
                         tuple(r.reported_fen.get("drug", 0) for r in rows), drawn=False),
                  Series(str(N_("Reported consumable spend")), str(N_("yuan")), "yuan",
                         tuple(r.reported_fen.get("consumable", 0) for r in rows), drawn=False),
                  Series(str(N_("Accepted on the platform")), str(N_("yuan")), "yuan",
                         tuple(r.accepted_fen for r in rows), drawn=False)),
                 horizontal=True)
