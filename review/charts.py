"""The review and result pages' chart: awarded volume per winner of an item (core.charts).
Titles are msgids (``N_``), translated when the chart is built inside a request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.charts import Chart, Series
from core.i18n import N_


def volume_chart(item_code: str, winners: Sequence[Mapping], names: Mapping[str, str]) -> Chart:
    """Awarded volume per winner (names from ``names`` or the winner's own, else its code)."""
    labels = tuple(names.get(w["supplier"]) or w.get("name") or w["supplier"] for w in winners)
    return Chart(f"volume-{item_code}", str(N_("Awarded volume per winner")), str(N_("Winner")), labels,
                 (Series(str(N_("Volume")), "", "qty", tuple(int(w["volume"]) for w in winners)),),
                 horizontal=True)
