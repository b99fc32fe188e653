"""Tiny builders for settlement tests (plain data, hand-checkable numbers)."""

from __future__ import annotations

from datetime import date

from settlement.money.data import AcceptedLine, AccountDirectory, BankAccount

FUND = BankAccount("110000000001", "某市医疗保障基金专户", "102100099996", "中国工商银行某市分行")
FUND_B = BankAccount(
    "110000000002", "某市医疗保障基金专户(建行)", "105100099991", "中国建设银行某市分行"
)


def supplier_account(code: str, n: int = 0) -> BankAccount:
    """A receiving account for supplier ``code`` (``n`` distinguishes several)."""
    digits = "".join(c for c in code if c.isdigit()) or "0"
    return BankAccount(
        f"6222{int(digits):06d}{n:02d}",
        f"{code} 医药有限公司",
        f"30310000{int(digits):04d}",
        "某银行",
    )


def directory(*suppliers: str, **overrides: BankAccount) -> AccountDirectory:
    """Fund account FUND and one account per supplier; keyword overrides per contract id."""
    return AccountDirectory(
        fund_account=FUND,
        supplier_accounts={s: supplier_account(s) for s in suppliers},
        contract_accounts=dict(overrides),
    )


def line(
    line_id: str,
    hospital: str = "H1",
    supplier: str = "S1",
    qty: int = 1,
    price_e4: int = 10000,
    on: date = date(2026, 10, 1),
    contract: str | None = None,
    disputed: bool = False,
    item: str = "I1",
) -> AcceptedLine:
    """An accepted delivery line; the contract defaults to hospital-supplier-item."""
    return AcceptedLine(
        delivery_line_id=line_id,
        contract_id=contract or f"{hospital}-{supplier}-{item}",
        hospital_code=hospital,
        supplier_code=supplier,
        item_code=item,
        accepted_qty=qty,
        price_e4=price_e4,
        accepted_on=on,
        disputed=disputed,
    )
