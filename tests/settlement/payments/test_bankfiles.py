"""pain.001.001.09 XML (validated against the official XSD), bank CSVs and the summary."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache

import pytest
import xmlschema
from defusedxml import ElementTree as SafeET
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.money.data import AccountDirectory, BankAccount, SettlementSettings
from settlement.money.settle import compute_settlement
from settlement.payments.bankfiles import (
    CSV_COLUMNS,
    NS,
    PAIN001_XSD,
    BankFileError,
    PaymentFileHeader,
    build_bank_files,
    build_pain001,
    safe_cell,
)
from tests.settlement.factories import FUND, FUND_B, directory, line

HEADER = PaymentFileHeader(
    "MSG-2026-10",
    datetime(2026, 11, 7, 9, 0, tzinfo=UTC),
    date(2026, 11, 7),
    "某市医疗保障事业管理中心",
)
Q = f"{{{NS}}}"


@cache
def schema() -> xmlschema.XMLSchema:
    """The official XSD, loaded once."""
    return xmlschema.XMLSchema(str(PAIN001_XSD))


def instructions(payers: bool = False):
    """Three suppliers; with ``payers`` hospital H9 pays from a second fund bank."""
    accounts = directory("S1", "S2", "S3")
    if payers:
        accounts = AccountDirectory(FUND, accounts.supplier_accounts, {}, {"H9": FUND_B})
    lines = [
        line("a", "H1", "S1", qty=3, price_e4=1235),  # 37 fen
        line("b", "H1", "S2", qty=100, price_e4=123456),  # 123456 fen
        line("c", "H9", "S3", qty=1, price_e4=10000),  # 100 fen
        line("d", "H9", "S1", qty=2, price_e4=5000),  # 100 fen
    ]
    result = compute_settlement(
        lines, {}, SettlementSettings(), frozenset(), accounts=accounts, run_ref="R202610"
    )
    return result.instructions


def test_pain001_validates_against_the_official_xsd() -> None:
    xml = build_pain001(HEADER, instructions(payers=True))
    schema().validate(xml.decode("utf-8"))
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_pain001_content() -> None:
    xml = build_pain001(HEADER, instructions(payers=True))
    root = SafeET.fromstring(xml)
    grp = root.find(f"{Q}CstmrCdtTrfInitn/{Q}GrpHdr")
    assert grp.findtext(f"{Q}MsgId") == "MSG-2026-10"
    assert grp.findtext(f"{Q}NbOfTxs") == "4"
    assert grp.findtext(f"{Q}CtrlSum") == "1236.93"  # 37 + 123456 + 100 + 100 fen
    pmts = root.findall(f"{Q}CstmrCdtTrfInitn/{Q}PmtInf")
    assert [p.findtext(f"{Q}DbtrAcct/{Q}Id/{Q}Othr/{Q}Id") for p in pmts] == [
        FUND.account_no,
        FUND_B.account_no,
    ]
    assert [p.findtext(f"{Q}CtrlSum") for p in pmts] == ["1234.93", "2.00"]  # H1: a + b; H9: c + d
    tx = pmts[0].find(f"{Q}CdtTrfTxInf")
    amt = tx.find(f"{Q}Amt/{Q}InstdAmt")
    assert (amt.text, amt.get("Ccy")) == ("0.37", "CNY")
    assert tx.findtext(f"{Q}PmtId/{Q}EndToEndId") == "R202610-000001"
    assert tx.findtext(f"{Q}CdtrAgt/{Q}FinInstnId/{Q}ClrSysMmbId/{Q}ClrSysId/{Q}Cd") == "CNAPS"
    assert len(tx.findtext(f"{Q}CdtrAgt/{Q}FinInstnId/{Q}ClrSysMmbId/{Q}MmbId")) == 12
    assert "R202610-000001" in tx.findtext(f"{Q}RmtInf/{Q}Ustrd")
    total = sum(Decimal(e.text) for e in root.iter(f"{Q}InstdAmt"))
    assert total == Decimal(grp.findtext(f"{Q}CtrlSum"))


def read_csv(content: bytes) -> list[list[str]]:
    """Rows of a generated CSV (after checking the BOM)."""
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def test_csv_per_paying_bank_has_bom_and_reconciles_to_ctrlsum() -> None:
    files = build_bank_files(HEADER, instructions(payers=True))
    assert [f.name for f in files.csvs] == [
        "MSG-2026-10_102100099996.csv",
        "MSG-2026-10_105100099991.csv",
    ]
    csv_total = Decimal(0)
    for f in files.csvs:
        rows = read_csv(f.content)
        assert tuple(rows[0]) == CSV_COLUMNS
        assert f.content.count(b"\r\n") == len(rows)
        csv_total += sum(Decimal(r[8]) for r in rows[1:])
        assert sum(Decimal(r[8]) for r in rows[1:]) * 100 == f.total_fen
    ctrl = SafeET.fromstring(files.xml.content).findtext(
        f"{Q}CstmrCdtTrfInitn/{Q}GrpHdr/{Q}CtrlSum"
    )
    assert csv_total == Decimal(ctrl) == Decimal("1236.93")


def test_summary_lists_each_file_with_its_sha256() -> None:
    files = build_bank_files(HEADER, instructions())
    rows = read_csv(files.summary.content)
    assert rows[0] == ["文件名", "笔数", "金额(元)", "SHA-256"]
    listed = {r[0]: r for r in rows[1:]}
    for f in (files.xml, *files.csvs):
        assert listed[f.name][3] == hashlib.sha256(f.content).hexdigest() == f.sha256
    assert listed[files.xml.name][1:3] == ["3", "1236.93"]  # S1 gets a + d in one


def test_spreadsheet_formula_injection_is_neutralised() -> None:
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("@x") == "'@x" and safe_cell("-1") == "'-1" and safe_cell("ok") == "ok"
    evil = BankAccount("6222000001", "=cmd|' /C calc'!A0", "303100000001")
    accounts = AccountDirectory(FUND, {"S1": evil})
    result = compute_settlement(
        [line("a")], {}, SettlementSettings(), frozenset(), accounts=accounts, run_ref="R"
    )
    (f,) = build_bank_files(HEADER, result.instructions).csvs
    assert read_csv(f.content)[1][5].startswith("'=")
    schema().validate(build_pain001(HEADER, result.instructions).decode("utf-8"))


def test_bank_files_refuse_what_a_bank_would_refuse() -> None:
    with pytest.raises(BankFileError, match="no payment"):
        build_pain001(HEADER, [])
    naive = PaymentFileHeader("M", datetime(2026, 11, 7, 9, 0), date(2026, 11, 7), "X")  # noqa: DTZ001
    with pytest.raises(BankFileError, match="timezone"):
        build_pain001(naive, instructions())
    twice = instructions()[:1] * 2
    with pytest.raises(BankFileError, match="duplicate"):
        build_pain001(HEADER, twice)
    long_id = PaymentFileHeader("M" * 31, HEADER.created_at, HEADER.execution_date, "X")
    with pytest.raises(BankFileError, match="message id"):
        build_pain001(long_id, instructions())


def test_xsd_check_is_not_vacuous() -> None:
    xml = build_pain001(HEADER, instructions()).decode("utf-8")
    assert schema().is_valid(xml)
    assert not schema().is_valid(xml.replace("<Cd>CNAPS</Cd>", "<Cd>CNAPS2</Cd>"))  # > 5 chars
    assert not schema().is_valid(xml.replace('Ccy="CNY">1.37', 'Ccy="CNY">-1.37'))
    assert not schema().is_valid(xml.replace("<MsgId>MSG-2026-10</MsgId>", ""))


AMOUNTS = st.lists(
    st.tuples(
        st.sampled_from(["S1", "S2", "S3"]),
        st.sampled_from(["H1", "H9"]),
        st.integers(1, 10**6),
        st.integers(100, 10**7),  # ≥ 1 fen a unit: every line pays something
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=25, deadline=None)
@given(specs=AMOUNTS)
def test_random_runs_give_valid_xml_and_csvs_that_reconcile(specs) -> None:
    accounts = AccountDirectory(
        FUND, directory("S1", "S2", "S3").supplier_accounts, {}, {"H9": FUND_B}
    )
    lines = [line(f"L{n}", h, s, qty=q, price_e4=p) for n, (s, h, q, p) in enumerate(specs)]
    result = compute_settlement(
        lines, {}, SettlementSettings(), frozenset(), accounts=accounts, run_ref="R"
    )
    files = build_bank_files(HEADER, result.instructions)
    schema().validate(files.xml.content.decode("utf-8"))
    ctrl = Decimal(
        SafeET.fromstring(files.xml.content).findtext(f"{Q}CstmrCdtTrfInitn/{Q}GrpHdr/{Q}CtrlSum")
    )
    csv_total = sum(Decimal(r[8]) for f in files.csvs for r in read_csv(f.content)[1:])
    assert ctrl == csv_total == Decimal(result.paid_fen) / 100


def test_control_characters_would_break_the_xml_and_are_refused() -> None:
    bad = BankAccount("6222000001", "供应商\x01", "303100000001")
    result = compute_settlement(
        [line("a")],
        {},
        SettlementSettings(),
        frozenset(),
        accounts=AccountDirectory(FUND, {"S1": bad}),
        run_ref="R",
    )
    with pytest.raises(BankFileError, match="control character"):
        build_pain001(HEADER, result.instructions)
