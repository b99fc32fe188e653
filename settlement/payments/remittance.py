"""The remittance advice (汇款通知) of one payment as a workbook: pure — plain data in, .xlsx
bytes out through :func:`core.export.save`. Amounts are numbers in yuan with a money format,
so a supplier's accounts can sum them; the shares' paid column adds up to the instruction's
amount to the fen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from core.export import save
from core.money import fen_to_decimal, price_e4_to_decimal

YUAN = "#,##0.00"
PRICE = "#,##0.0000"


@dataclass(frozen=True)
class AdviceHeader:
    """What the advice is about (texts already in the reader's words)."""

    reference: str
    status: str
    batch: str
    month: str
    payer: str
    payee: str
    payee_account: str
    payee_bank: str
    amount_fen: int
    bank_ref: str
    status_on: str
    reissue_of: str


def _money(ws, row: int, cols: Sequence[int], fmt: str = YUAN) -> None:
    """Number formats for money cells of one row."""
    for col in cols:
        ws.cell(row=row, column=col).number_format = fmt


def build_remittance_advice(head: AdviceHeader, shares: Sequence, lines: Sequence) -> bytes:
    """Sheet 汇款通知 (the payment and its hospitals' shares) and 明细 (every line paid, then the
    returns netted and the prepayment offsets as their own lines, and the total paid)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "汇款通知"
    for label, value in (("付款指令 Reference", head.reference), ("状态 Status", head.status),
                         ("批次 Batch", head.batch), ("结算月份 Month", head.month), ("付款人 Payer", head.payer),
                         ("收款人 Payee", head.payee), ("收款账号 Account", head.payee_account),
                         ("收款行 Bank", head.payee_bank), ("金额(元) Amount", fen_to_decimal(head.amount_fen)),
                         ("银行流水号 Bank reference", head.bank_ref), ("状态日期 Date", head.status_on),
                         ("原指令(重新支付) Re-issue of", head.reissue_of)):
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    _money(ws, 9, [2])
    ws.append([])
    ws.append(["医疗机构 Hospital", "笔数 Lines", "明细金额(元) Lines", "退货抵扣(元) Returns netted",
               "预付冲抵(元) Prepayment offset", "本次支付(元) Paid"])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for s in shares:
        ws.append([s.hospital, s.line_count, fen_to_decimal(s.lines_fen), fen_to_decimal(-s.clawback_fen),
                   fen_to_decimal(-s.offset_fen), fen_to_decimal(s.paid_fen)])
        _money(ws, ws.max_row, [3, 4, 5, 6])
    ws.append(["合计 Total", sum(s.line_count for s in shares), fen_to_decimal(sum(s.lines_fen for s in shares)),
               fen_to_decimal(-sum(s.clawback_fen for s in shares)), fen_to_decimal(-sum(s.offset_fen for s in shares)),
               fen_to_decimal(sum(s.paid_fen for s in shares))])
    _money(ws, ws.max_row, [3, 4, 5, 6])
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 30
    detail = wb.create_sheet("明细")
    detail.append(["明细号 Line", "医疗机构 Hospital", "协议 Contract", "品种 Item", "验收日期 Accepted on",
                   "数量 Quantity", "单价(元) Unit price", "金额(元) Amount"])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    detail.freeze_panes = "A2"
    for x in lines:
        detail.append([x.acceptance_id, x.hospital, x.contract_code, x.item,
                       x.accepted_on if isinstance(x.accepted_on, date) else str(x.accepted_on), x.quantity,
                       price_e4_to_decimal(x.price_e4), fen_to_decimal(x.amount_fen)])
        row = detail.max_row
        detail.cell(row=row, column=5).number_format = "yyyy-mm-dd"
        _money(detail, row, [7], PRICE)
        _money(detail, row, [8])
    _deductions(detail, shares)
    return save(wb)


def _deductions(detail, shares: Sequence) -> None:
    """Below the lines, each hospital's returns netted and prepayment offset as lines of their own
    (negative), and the total paid: the sheet's amounts add up to the payment to the fen."""
    for s in shares:
        for amount, what in ((s.clawback_fen, "退货抵扣 Returns netted"), (s.offset_fen, "预付款冲抵 Prepayment offset")):
            if amount:
                detail.append([None, s.hospital, None, what, None, None, None, fen_to_decimal(-amount)])
                _money(detail, detail.max_row, [8])
    detail.append([None, None, None, "本次支付 Paid", None, None, None, fen_to_decimal(sum(s.paid_fen for s in shares))])
    detail.cell(row=detail.max_row, column=4).font = Font(bold=True)
    _money(detail, detail.max_row, [8])
