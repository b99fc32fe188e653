"""Files for the bank: ISO 20022 pain.001.001.09 XML, a CSV per paying bank, a summary.

* XML: one ``PmtInf`` per fund (debtor) account; each instruction is one ``CdtTrfTxInf``
  with ``EndToEndId`` = the instruction reference; banks are identified by their 12-digit
  CNAPS code in ``ClrSysMmbId`` with ``ClrSysId/Cd`` = ``CNAPS`` (ISO external clearing
  system code list); accounts go in ``Othr/Id``; amounts in CNY with two decimals.
* CSV: UTF-8 with BOM (Excel opens it), Chinese headers, CRLF, one file per paying bank
  (the fund account's CNAPS code); text cells starting with ``= + - @`` are neutralised.
* Summary: each file's name, count, total and SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - we build XML, never parse it here
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from core.money import fen_to_decimal
from settlement.money.data import BankAccount, PaymentInstruction

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
PAIN001_XSD = Path(__file__).parent / "schemas" / "pain.001.001.09.xsd"  # official schema
CURRENCY = "CNY"
CSV_COLUMNS = (
    "序号",
    "指令编号",
    "付款账号",
    "付款户名",
    "收款账号",
    "收款户名",
    "收款行行号",
    "收款行名称",
    "金额(元)",
    "币种",
    "附言",
)
SUMMARY_COLUMNS = ("文件名", "笔数", "金额(元)", "SHA-256")
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class BankFileError(ValueError):
    """The instructions cannot be written as a bank file (empty, too long, duplicate …)."""


@dataclass(frozen=True)
class PaymentFileHeader:
    """What identifies one release of files: message id, creation time, execution date."""

    msg_id: str
    created_at: datetime
    execution_date: date
    initiating_party: str


@dataclass(frozen=True)
class BankFile:
    """One generated file with its checksum and what it contains."""

    name: str
    content: bytes
    instruction_count: int
    total_fen: int

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the file's bytes."""
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class BankFileSet:
    """The XML, the CSVs per paying bank and the summary CSV (listing the others)."""

    xml: BankFile
    csvs: tuple[BankFile, ...]
    summary: BankFile


def _check(header: PaymentFileHeader, instructions: Sequence[PaymentInstruction]) -> None:
    """Refuse what a bank would refuse, before writing anything."""
    if not instructions:
        raise BankFileError("no payment instructions to write")
    if not 0 < len(header.msg_id) <= 30:
        raise BankFileError("message id must be 1–30 characters")
    if header.created_at.tzinfo is None:
        raise BankFileError("creation time must be timezone-aware")
    refs = [i.reference for i in instructions]
    if len(set(refs)) != len(refs):
        raise BankFileError("duplicate instruction reference")
    for i in instructions:
        if i.amount_fen <= 0:
            raise BankFileError(f"instruction {i.reference}: amount must be positive")
        if not 0 < len(i.reference) <= 35:
            raise BankFileError(f"instruction {i.reference}: reference over 35 characters")
        for acct in (i.payer, i.payee):
            if len(acct.account_no) > 34 or len(acct.holder_name) > 140:
                raise BankFileError(f"instruction {i.reference}: account number or name too long")
            texts = (acct.account_no, acct.holder_name, acct.bank_name, i.remittance)
            if any(XML_FORBIDDEN.search(t) for t in texts):
                raise BankFileError(f"instruction {i.reference}: control character in a text")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    """Append a child (unqualified: the root declares pain.001 as the default namespace)."""
    child = ET.SubElement(parent, tag, attrib)
    if text is not None:
        child.text = text
    return child


def _amount(fen: int) -> str:
    """Fen as a yuan decimal string with two places."""
    return str(fen_to_decimal(fen))


def _account(parent: ET.Element, tag: str, acct: BankAccount) -> None:
    """``<tag><Id><Othr><Id>account</Id></Othr></Id></tag>``."""
    _sub(_sub(_sub(_sub(parent, tag), "Id"), "Othr"), "Id", acct.account_no)


def _agent(parent: ET.Element, tag: str, acct: BankAccount) -> None:
    """A bank identified by its CNAPS code (and name, when known)."""
    fin = _sub(_sub(parent, tag), "FinInstnId")
    mmb = _sub(fin, "ClrSysMmbId")
    _sub(_sub(mmb, "ClrSysId"), "Cd", "CNAPS")
    _sub(mmb, "MmbId", acct.bank_cnaps)
    if acct.bank_name:
        _sub(fin, "Nm", acct.bank_name[:140])


def _by_payer(
    instructions: Sequence[PaymentInstruction], key: str
) -> list[tuple[BankAccount, list[PaymentInstruction]]]:
    """Instructions grouped by payer account (``key="account"``) or payer bank (``"bank"``)."""
    groups: dict[str, tuple[BankAccount, list[PaymentInstruction]]] = {}
    for i in instructions:
        k = i.payer.account_no if key == "account" else i.payer.bank_cnaps
        groups.setdefault(k, (i.payer, []))[1].append(i)
    return [groups[k] for k in sorted(groups)]


def build_pain001(header: PaymentFileHeader, instructions: Sequence[PaymentInstruction]) -> bytes:
    """The CustomerCreditTransferInitiation (pain.001.001.09) document, UTF-8 bytes."""
    _check(header, instructions)
    # ElementTree's default_namespace option rejects unqualified attributes (Ccy), so the
    # root carries the xmlns declaration itself and every element inherits it.
    root = ET.Element("Document", {"xmlns": NS})
    init = _sub(root, "CstmrCdtTrfInitn")
    grp = _sub(init, "GrpHdr")
    _sub(grp, "MsgId", header.msg_id)
    _sub(grp, "CreDtTm", header.created_at.isoformat(timespec="seconds"))
    _sub(grp, "NbOfTxs", str(len(instructions)))
    _sub(grp, "CtrlSum", _amount(sum(i.amount_fen for i in instructions)))
    _sub(_sub(grp, "InitgPty"), "Nm", header.initiating_party[:140])
    for n, (payer, group) in enumerate(_by_payer(instructions, "account"), start=1):
        pmt = _sub(init, "PmtInf")
        _sub(pmt, "PmtInfId", f"{header.msg_id}-P{n:03d}")
        _sub(pmt, "PmtMtd", "TRF")
        _sub(pmt, "NbOfTxs", str(len(group)))
        _sub(pmt, "CtrlSum", _amount(sum(i.amount_fen for i in group)))
        _sub(_sub(pmt, "ReqdExctnDt"), "Dt", header.execution_date.isoformat())
        _sub(_sub(pmt, "Dbtr"), "Nm", payer.holder_name)
        _account(pmt, "DbtrAcct", payer)
        _agent(pmt, "DbtrAgt", payer)
        for i in sorted(group, key=lambda x: x.reference):
            tx = _sub(pmt, "CdtTrfTxInf")
            pid = _sub(tx, "PmtId")
            _sub(pid, "InstrId", i.reference)
            _sub(pid, "EndToEndId", i.reference)
            _sub(_sub(tx, "Amt"), "InstdAmt", _amount(i.amount_fen), Ccy=CURRENCY)
            _agent(tx, "CdtrAgt", i.payee)
            _sub(_sub(tx, "Cdtr"), "Nm", i.payee.holder_name)
            _account(tx, "CdtrAcct", i.payee)
            _sub(_sub(tx, "RmtInf"), "Ustrd", i.remittance[:140])
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formula injection: prefix ``'`` to a cell starting ``= + - @``."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """CSV text with CRLF line ends, encoded UTF-8 with BOM."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")


def build_bank_csv(instructions: Sequence[PaymentInstruction]) -> bytes:
    """Batch-payment CSV rows for the given instructions (one paying bank)."""
    rows: list[Sequence[str]] = [CSV_COLUMNS]
    for n, i in enumerate(sorted(instructions, key=lambda x: x.reference), start=1):
        rows.append(
            (
                str(n),
                safe_cell(i.reference),
                safe_cell(i.payer.account_no),
                safe_cell(i.payer.holder_name),
                safe_cell(i.payee.account_no),
                safe_cell(i.payee.holder_name),
                i.payee.bank_cnaps,
                safe_cell(i.payee.bank_name),
                _amount(i.amount_fen),
                CURRENCY,
                safe_cell(i.remittance),
            )
        )
    return _csv_bytes(rows)


def build_bank_files(
    header: PaymentFileHeader, instructions: Sequence[PaymentInstruction]
) -> BankFileSet:
    """The XML, one CSV per paying bank, and a summary CSV with each file's SHA-256."""
    total = sum(i.amount_fen for i in instructions)
    xml = BankFile(
        f"{header.msg_id}.pain001.xml",
        build_pain001(header, instructions),
        len(instructions),
        total,
    )
    csvs = tuple(
        BankFile(
            f"{header.msg_id}_{bank.bank_cnaps}.csv",
            build_bank_csv(group),
            len(group),
            sum(i.amount_fen for i in group),
        )
        for bank, group in _by_payer(instructions, "bank")
    )
    rows: list[Sequence[str]] = [SUMMARY_COLUMNS]
    for f in (xml, *csvs):
        rows.append((f.name, str(f.instruction_count), _amount(f.total_fen), f.sha256))
    summary = BankFile(f"{header.msg_id}_summary.csv", _csv_bytes(rows), len(instructions), total)
    return BankFileSet(xml, csvs, summary)
