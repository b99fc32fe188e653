"""The supply lists as workbooks (pure): supply problems and a batch's takeovers, one row per
entry with the figures as numbers and dates as dates; labels come from the caller (the web
layer's label registry), headers are Chinese with English. Written by ``core.export``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.export import workbook_bytes
from core.formats import date_cell, datetime_cell, qty_cell

Label = Callable[[str, str], str]

PROBLEM_HEADER = ["医疗机构 Hospital", "企业 Supplier", "批次 Batch", "协议 Contract", "品种 Item", "问题 Problem",
                  "应到日期 Due on", "应到数量 Ordered", "实到数量 Received", "情况说明 Description", "报告时间 Reported",
                  "答复期限 Answer due", "企业答复 Answer", "预计恢复 Recovery on", "答复时间 Answered", "逾期答复 Late"]
TAKEOVER_HEADER = ["编号 Reference", "品种 Item", "原中选企业 Failed winner", "接替企业 Taker", "依据 Basis",
                   "价格规则 Price rule", "起 Starts", "止 Ends", "状态 Status", "理由 Reason", "提出时间 Proposed",
                   "决定时间 Decided", "决定意见 Note", "恢复主供 Restored on"]


def problems_workbook(rows: Sequence[tuple], label: Label) -> bytes:
    """Rows of ``supply.lists.problem_page`` (problem, contract, item, hospital, supplier, batch)."""
    data = [[h.name, s.name, b.name, c.code, f"{i.code} {i.generic_name}", label(p.kind, "supply_problem"),
             date_cell(p.due_on), qty_cell(p.ordered_qty) if p.ordered_qty is not None else "",
             qty_cell(p.received_qty) if p.received_qty is not None else "", p.description, datetime_cell(p.reported_at),
             datetime_cell(p.answer_due_at), p.answer or "", date_cell(p.recovery_on) if p.recovery_on else "",
             datetime_cell(p.answered_at) if p.answered_at else "", "是 yes" if p.answered_late else ""]
            for p, c, i, h, s, b in rows]
    return workbook_bytes([("供应问题", PROBLEM_HEADER, data)])


def takeovers_workbook(rows: Sequence[tuple], label: Label) -> bytes:
    """Rows of ``supply.lists.takeover_page`` (takeover, item, failed winner, taker)."""
    data = [[t.reference, f"{i.code} {i.generic_name}", f.name, k.name, label(t.taker_basis, "takeover_basis"),
             label(t.price_rule, "takeover_price"), date_cell(t.starts_on), date_cell(t.ends_on),
             label(t.status, "takeover"), t.reason, datetime_cell(t.proposed_at),
             datetime_cell(t.decided_at) if t.decided_at else "", t.decision_note,
             date_cell(t.restored_on) if t.restored_on else ""]
            for t, i, f, k in rows]
    return workbook_bytes([("备供接替", TAKEOVER_HEADER, data)])
