"""Payments through the pages (issue #14 item 4): the supplier's payments per month with the
failed one, its reason, the bank's reference, the lines it covers and the remittance advice;
the notice in its inbox; the fund's four-eyes re-issue (request by one officer, approval by a
second, who alone sees the approve button) leading to the run with the next bank file."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from openpyxl import load_workbook
from sqlmodel import select

from accounts.roles import Role
from core.money import format_yuan
from settlement.models import PaymentInstruction, ReissueRequest
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import officer_b, setup  # noqa: F401
from tests.settlement.payments.test_reissue import (
    NEW_ACCOUNT,
    change_supplier_account,
    failed_payment,
)


def _switch(client, username: str) -> None:
    """Sign out and in as another user."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login(client, username).status_code == 302


def test_the_supplier_sees_the_failed_payment_and_its_advice(client, session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    ref, amount, inst_id = inst.reference, inst.amount_fen, inst.id
    session.commit()
    login(client, world.username("A", Role.SUPPLIER_REP))
    home = client.get("/settlement/").get_data(as_text=True)
    assert 'data-testid="failed-payments-note"' in home
    page = client.get("/settlement/payments").get_data(as_text=True)
    assert f'data-testid="payment-status-{ref}" data-status="failed">支付失败: 收款账户已冻结' in page
    assert "BK20261108001" in page and 'data-testid="payments-2026-10"' in page
    assert f'data-testid="month-total-2026-10">{format_yuan(0)}<' in page  # nothing live: the payment failed
    detail = client.get(f"/settlement/payments/{inst_id}").get_data(as_text=True)
    assert f'data-testid="payment-amount">{format_yuan(amount)}<' in detail
    assert f'data-testid="paid-total">{format_yuan(amount)}<' in detail
    assert detail.count("<tr><td>") >= 3  # one hospital's share and its two lines
    advice = client.get(f"/settlement/payments/{inst_id}/advice.xlsx")
    assert advice.status_code == 200 and "attachment" in advice.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(advice.data))
    head = {r[0]: r[1] for r in wb["汇款通知"].iter_rows(max_row=12, values_only=True)}
    assert head["付款指令 Reference"] == ref and head["状态 Status"] == "支付失败"
    assert Decimal(str(head["金额(元) Amount"])) == Decimal(amount) / 100  # a number, not text
    assert head["银行流水号 Bank reference"] == "BK20261108001"
    lines = list(wb["明细"].iter_rows(min_row=2, values_only=True))
    assert len([r for r in lines if r[0] is not None]) == 2 and all(isinstance(r[7], int | float) for r in lines)
    # the prepayment offset is a line of its own, and the sheet adds up to the payment
    assert [r[3] for r in lines[2:]] == ["预付款冲抵 Prepayment offset", "本次支付 Paid"]
    assert sum(Decimal(str(r[7])) for r in lines[:-1]) == Decimal(str(lines[-1][7])) == Decimal(amount) / 100
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "支付失败" in inbox and ref in inbox
    _switch(client, world.username("B", Role.SUPPLIER_REP))
    assert client.get(f"/settlement/payments/{inst_id}").status_code == 404
    assert client.get(f"/settlement/payments/{inst_id}/advice.xlsx").status_code == 404
    assert ref not in client.get("/settlement/payments").get_data(as_text=True)


def test_two_officers_re_issue_it_through_the_pages(client, session, world, setup, officer_b):  # noqa: F811
    inst = failed_payment(session, world, setup, officer_b)
    change_supplier_account(session, world)
    ref, inst_id = inst.reference, inst.id
    session.commit()
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    batch_page = client.get(f"/settlement/officer/batches/{setup.code}").get_data(as_text=True)
    assert 'data-testid="failed-payments-count"' in batch_page
    url = f"/settlement/officer/batches/{setup.code}/failed-payments"
    page = client.get(url).get_data(as_text=True)
    assert f'data-testid="account-now-{ref}">{NEW_ACCOUNT}' in page
    token = csrf_token(client, url)
    r = client.post(f"/settlement/officer/instructions/{inst_id}/reissue", data={"csrf_token": token,
                                                                                "note": "账户已更正"})
    assert r.status_code == 302 and r.headers["Location"].endswith(url)
    page = client.get(url).get_data(as_text=True)
    assert f'data-testid="awaits-second-{ref}"' in page and f'data-testid="approve-reissue-{ref}"' not in page
    (request,) = session.exec(select(ReissueRequest)).all()
    request_id = request.id
    session.commit()
    refused = client.post(f"/settlement/officer/reissues/{request_id}/approve", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "four-eyes" in refused or "双人复核" in refused

    _switch(client, "a_settlement_officer_2")
    page = client.get(url).get_data(as_text=True)
    assert f'data-testid="approve-reissue-{ref}"' in page
    token = csrf_token(client, url)
    r = client.post(f"/settlement/officer/reissues/{request_id}/approve", data={"csrf_token": token})
    new = session.exec(select(PaymentInstruction).where(PaymentInstruction.reissue_of_id == inst_id)).one()
    run_id, new_ref = new.run_id, new.reference
    session.commit()
    assert r.headers["Location"].endswith(f"/settlement/officer/runs/{run_id}")
    again = client.post(f"/settlement/officer/reissues/{request_id}/approve", data={"csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "已复核通过，无变化" in again
    run_page = client.get(f"/settlement/officer/runs/{run_id}").get_data(as_text=True)
    assert 'data-testid="release"' in run_page and new_ref in run_page
    released = client.post(f"/settlement/officer/runs/{run_id}/release", data={"csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)
    xml_link = re.search(r'href="([^"]+)" data-testid="file-xml"', released).group(1)
    assert NEW_ACCOUNT.encode() in client.get(xml_link).data
    assert len(session.exec(select(PaymentInstruction).where(PaymentInstruction.reissue_of_id == inst_id)).all()) == 1
    session.commit()

    _switch(client, world.username("A", Role.SUPPLIER_REP))
    page = client.get("/settlement/payments").get_data(as_text=True)
    assert f'data-testid="payment-status-{ref}" data-status="reissued"' in page and f"已重新支付为 {new_ref}" in page
    assert f'data-testid="payment-status-{new_ref}" data-status="issued"' in page
    assert "已重新支付" in client.get("/inbox").get_data(as_text=True)
