"""Parse a bank's return file: for each instruction reference, paid or failed (and why).

Input is CSV bytes in UTF-8 (with or without BOM) or GB18030 (what Chinese bank portals
export). Header names are matched in Chinese or English, any order, extra columns ignored;
指令编号 and 状态 are required, 失败原因 and 银行流水号 (the bank's own reference) optional.
Good rows come back as :class:`ReturnRow`; every bad row as a :class:`ReturnRowError`
naming row, column and value. A file that cannot be read at all raises
:class:`BankReturnError` — the only exception this module raises.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from settlement.money.data import InstructionStatus

MAX_BYTES = 10 * 1024 * 1024
MAX_REFERENCE = 35

HEADERS: dict[str, frozenset[str]] = {
    "reference": frozenset(
        {"reference", "instruction reference", "endtoendid", "end to end id", "指令编号", "参考号"}
    ),
    "status": frozenset({"status", "状态", "结果", "处理结果", "交易状态"}),
    "reason": frozenset({"reason", "原因", "失败原因", "备注"}),
    "bank_ref": frozenset({"bank reference", "bank ref", "银行流水号", "流水号", "交易流水号", "银行参考号"}),
}
MAX_BANK_REF = 60
STATUS_WORDS: dict[str, InstructionStatus] = {
    **dict.fromkeys(
        ("paid", "success", "succeeded", "ok", "成功", "已支付", "支付成功"),
        InstructionStatus.PAID,
    ),
    **dict.fromkeys(
        ("failed", "fail", "failure", "rejected", "失败", "支付失败", "退回", "退票"),
        InstructionStatus.FAILED,
    ),
}


class BankReturnError(ValueError):
    """The return file as a whole cannot be read (encoding, size, header)."""


@dataclass(frozen=True)
class ReturnRow:
    """One instruction's outcome as reported by the bank."""

    row: int
    reference: str
    status: InstructionStatus
    reason: str
    bank_ref: str = ""  # the bank's own reference of the transfer (optional column)


@dataclass(frozen=True)
class ReturnRowError:
    """A row that could not be accepted: where, what value, why (Chinese / English)."""

    row: int
    column: str
    value: str
    message: str


@dataclass(frozen=True)
class BankReturn:
    """Parsed rows and row errors; apply it only when ``ok`` (a bad file changes nothing)."""

    rows: tuple[ReturnRow, ...]
    errors: tuple[ReturnRowError, ...]

    @property
    def ok(self) -> bool:
        """True when every row was read and at least one row was present."""
        return not self.errors and bool(self.rows)


def _clean(value: str) -> str:
    """Full-width to half-width, surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", value).strip()


def _decode(content: bytes) -> str:
    """Bytes to text: UTF-8 (BOM optional), else GB18030; binary content refused."""
    if not isinstance(content, bytes | bytearray):
        raise BankReturnError("银行回盘文件必须是字节 / bank return must be bytes")
    if not content.strip():
        raise BankReturnError("银行回盘文件为空 / bank return file is empty")
    if len(content) > MAX_BYTES:
        raise BankReturnError("银行回盘文件过大 / bank return file is too large")
    if b"\x00" in content:
        raise BankReturnError("不是文本CSV文件 / not a text CSV file")
    try:
        return bytes(content).decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return bytes(content).decode("gb18030")
    except UnicodeDecodeError as exc:
        raise BankReturnError(
            "无法识别文件编码 / unreadable encoding (not UTF-8 or GB18030)"
        ) from exc


def _columns(header: list[str]) -> dict[str, int]:
    """Map our column names to positions; a missing required column is a file error."""
    found: dict[str, int] = {}
    for pos, name in enumerate(header):
        key = _clean(name).casefold().replace("_", " ")
        for col, aliases in HEADERS.items():
            if key in aliases:
                if col in found:
                    raise BankReturnError(f"列重复 / duplicate column: {name!r}")
                found[col] = pos
    for col in ("reference", "status"):
        if col not in found:
            raise BankReturnError(f"缺少列 / missing column: {col}")
    return found


def _read_rows(text: str) -> list[list[str]]:
    """All CSV records (csv module errors become file errors)."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise BankReturnError(f"CSV格式错误 / malformed CSV: {exc}") from exc


def parse_bank_return(
    content: bytes, known_references: AbstractSet[str] | None = None
) -> BankReturn:
    """Read a bank return CSV into rows and row errors (see the module docstring)."""
    records = _read_rows(_decode(content))
    while records and not any(c.strip() for c in records[0]):
        records.pop(0)
    if not records:
        raise BankReturnError("没有表头 / no header row")
    cols = _columns(records[0])
    rows: list[ReturnRow] = []
    errors: list[ReturnRowError] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue

        def cell(col: str, rec: list[str] = record) -> str:
            """The cleaned value of ``col`` in this record ('' when absent)."""
            pos = cols.get(col)
            return _clean(rec[pos]) if pos is not None and pos < len(rec) else ""

        ref, raw_status, reason, bank_ref = cell("reference"), cell("status"), cell("reason"), cell("bank_ref")
        status = STATUS_WORDS.get(raw_status.casefold())
        problem = None
        if not ref:
            problem = ("reference", ref, "指令编号为空 / reference is empty")
        elif len(ref) > MAX_REFERENCE:
            problem = ("reference", ref, "指令编号超过35个字符 / reference over 35 characters")
        elif ref in seen:
            problem = ("reference", ref, f"与第{seen[ref]}行重复 / duplicate of row {seen[ref]}")
        elif known_references is not None and ref not in known_references:
            problem = ("reference", ref, "未知的指令编号 / unknown instruction reference")
        elif status is None:
            problem = ("status", raw_status, "无法识别的状态 / unknown status (paid/failed)")
        elif len(bank_ref) > MAX_BANK_REF:
            problem = ("bank_ref", bank_ref, "银行流水号超过60个字符 / bank reference over 60 characters")
        if problem:
            errors.append(ReturnRowError(number, *problem))
            continue
        seen[ref] = number
        rows.append(ReturnRow(number, ref, status, reason, bank_ref))
    if not rows and not errors:
        raise BankReturnError("没有数据行 / no data rows")
    return BankReturn(tuple(rows), tuple(errors))


#: The columns of the return template, in the order the bank fills them (docs/bank-return.md).
TEMPLATE_HEADER = ("指令编号", "状态", "失败原因")


def return_template(references: Iterable[str]) -> bytes:
    """A return file to fill in (UTF-8 with BOM, so that Excel opens it in Chinese): the header
    and one row per instruction reference, status and reason left for the bank's answer
    (成功 / 失败 or paid / failed; a reason for each failure)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADER)
    for reference in references:
        writer.writerow((reference, "", ""))
    return out.getvalue().encode("utf-8-sig")
