"""The credit lists as workbooks (pure): breaches, ratings and repair applications (appeals),
one row per entry, dates as dates; labels come from the caller (the web layer's label
registry), headers are Chinese with English. Written by ``core.export``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.export import workbook_bytes
from core.formats import date_cell, datetime_cell

Label = Callable[[str, str], str]

BREACH_HEADER = ["编号 Reference", "企业 Supplier", "失信事项 Kind", "发生日期 Occurred on", "情况 Description",
                 "登记时间 Recorded", "陈述期限 Statement due", "企业陈述 Statement", "状态 Status",
                 "决定意见 Decision", "决定时间 Decided"]
RATING_HEADER = ["编号 Reference", "企业 Supplier", "地区 Region", "等级 Grade", "处置 Consequence", "状态 Status",
                 "生效 Valid from", "有效至 Valid until", "终止 Ended on", "提出时间 Proposed", "确认时间 Decided",
                 "意见 Note"]
REPAIR_HEADER = ["评级 Rating", "企业 Supplier", "承诺 Commitment", "申请时间 Applied", "状态 Status",
                 "决定意见 Decision", "决定时间 Decided"]


def _when(value):
    """A time cell, or blank."""
    return datetime_cell(value) if value else ""


def breaches_workbook(rows: Sequence[tuple], label: Label) -> bytes:
    """Rows of ``credit.lists.breach_page`` (breach, supplier)."""
    data = [[b.reference, s.name, label(b.kind, "breach_kind"), date_cell(b.occurred_on), b.description,
             datetime_cell(b.recorded_at), datetime_cell(b.statement_due_at), b.statement or "",
             label(b.status, "breach"), b.decision_note, _when(b.decided_at)] for b, s in rows]
    return workbook_bytes([("失信事项", BREACH_HEADER, data)])


def ratings_workbook(rows: Sequence[tuple], label: Label) -> bytes:
    """Rows of ``credit.lists.rating_page`` (rating, supplier)."""
    data = [[r.reference or "", s.name, r.region_code, label(r.grade, "grade"), label(r.consequence, "consequence"),
             label(r.status, "rating"), date_cell(r.valid_from) if r.valid_from else "",
             date_cell(r.valid_until) if r.valid_until else "", date_cell(r.ended_on) if r.ended_on else "",
             datetime_cell(r.proposed_at), _when(r.decided_at), r.decision_note] for r, s in rows]
    return workbook_bytes([("信用评级", RATING_HEADER, data)])


def repairs_workbook(rows: Sequence[tuple], label: Label) -> bytes:
    """Rows of ``credit.lists.repair_page`` (repair, rating, supplier)."""
    data = [[r.reference or "", s.name, x.commitment, datetime_cell(x.applied_at), label(x.status, "repair"),
             x.decision_note, _when(x.decided_at)] for x, r, s in rows]
    return workbook_bytes([("信用修复申请", REPAIR_HEADER, data)])
