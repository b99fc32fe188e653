"""Supply through the pages: report with evidence, answer, escalate; declare a takeover (preview,
then propose), four-eyes approval, the taker's contracts on the contracts page, restoration."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlmodel import select

from core.clock import utcnow
from review.models import Contract
from supply.models import SupplyProblem, Takeover
from tests.conftest import csrf_token, login
from tests.supply.fixtures import build


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": csrf_token(client, "/"), **data}, follow_redirects=True)


def _live(db, session, world, ring):
    """The batch built relative to today: its cycle began a month ago."""
    return build(db, session, world, ring, utcnow() - timedelta(days=60))


def test_report_answer_and_escalate_through_the_pages(app, client, db, session, world, ring):
    ex = _live(db, session, world, ring)
    contract = ex.contract(session, "370100")
    session.commit()
    today = utcnow().date()
    login(client, "a_hospital_buyer")
    listing = client.get(f"/batches/{ex.code}/contracts").get_data(as_text=True)
    assert f'data-testid="report-problem-{contract.id}"' in listing
    url = f"/supply/contracts/{contract.id}/report"
    assert "应到货日期" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "short", "due_on": today.isoformat(),
                                     "description": "少送"}, follow_redirects=True).get_data(as_text=True)
    assert "配送不足须填写订购数量和实收数量" in refused
    done = client.post(url, data={"csrf_token": csrf_token(client, url), "kind": "short", "due_on": today.isoformat(),
                                  "ordered_qty": "500", "received_qty": "200", "description": "只送了200片",
                                  "evidence": (io.BytesIO(b"%PDF-1.4"), "送货单.pdf")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "供应问题已报告" in done and "配送不足" in done and "待企业答复" in done
    problem = session.exec(select(SupplyProblem)).one()
    session.commit()  # end the test session's transaction (the pages write)
    assert client.get(f"/supply/problems/{problem.id}/evidence").data == b"%PDF-1.4"
    _logout(client)

    login(client, "a_supplier_rep")
    page = client.get(f"/supply/problems/{problem.id}").get_data(as_text=True)
    assert 'data-testid="answer-submit"' in page
    answered = _post(client, f"/supply/problems/{problem.id}/answer", answer="明日补送300片",
                     recovery_on=(today + timedelta(days=1)).isoformat()).get_data(as_text=True)
    assert "答复已发送" in answered and "明日补送300片" in answered and 'data-testid="answer-submit"' not in answered
    assert client.get("/supply/problems/999999").status_code == 404
    _logout(client)

    login(client, "a_price_officer")
    page = client.get(f"/supply/problems/{problem.id}").get_data(as_text=True)
    assert 'data-testid="escalate-reminder"' in page and 'data-testid="escalate-interview"' not in page
    page = _post(client, f"/supply/problems/{problem.id}/escalate", step="reminder", note="电话提醒").get_data(as_text=True)
    assert "处置已记录" in page and 'data-testid="escalate-interview"' in page
    listing = client.get("/supply/?state=answered").get_data(as_text=True)
    assert f'data-testid="problem-{problem.id}"' in listing
    assert f'data-testid="problem-{problem.id}"' not in client.get("/supply/?state=open").get_data(as_text=True)


def test_declare_preview_propose_approve_and_restore_through_the_pages(app, client, db, session, world, ring):
    ex = _live(db, session, world, ring)
    session.commit()
    start = (utcnow() - timedelta(days=5)).date()
    login(client, "a_price_officer")
    page = client.get(f"/batches/{ex.code}/takeovers/new?item=YP101&supplier=A-supplier").get_data(as_text=True)
    assert 'data-testid="unit-370300"' in page and 'data-testid="unit-370200"' not in page  # the backup's own city
    assert 'data-testid="takeover-propose"' not in page  # preview first
    form = {"item": "YP101", "supplier": "A-supplier", "units": ["370100", "370300", "370400"],
            "starts_on": start.isoformat(), "reason": "连续断供"}
    preview = _post(client, f"/batches/{ex.code}/takeovers", action="preview", **form).get_data(as_text=True)
    assert 'data-testid="takeover-plan"' in preview and "A2 备供药业" in preview and "已确定的备供企业" in preview
    assert 'data-testid="takeover-propose"' in preview
    assert session.exec(select(Takeover)).all() == []  # a preview writes nothing
    session.commit()
    overlap = _post(client, f"/batches/{ex.code}/takeovers", action="preview", **{**form, "units": []})
    assert "请选择断供涉及的城市或医疗机构" in overlap.get_data(as_text=True)
    proposed = _post(client, f"/batches/{ex.code}/takeovers", action="propose", **form).get_data(as_text=True)
    assert "接替已提出" in proposed and 'data-testid="decision-waits"' in proposed and "双人审核" in proposed
    takeover = session.exec(select(Takeover)).one()
    session.commit()
    _logout(client)

    login(client, "a_officer_2")
    page = client.get(f"/takeovers/{takeover.id}").get_data(as_text=True)
    assert 'data-testid="takeover-approve"' in page
    unticked = _post(client, f"/takeovers/{takeover.id}/decide", decision="approve").get_data(as_text=True)
    assert "请勾选确认" in unticked
    approved = _post(client, f"/takeovers/{takeover.id}/decide", decision="approve", confirm="y").get_data(as_text=True)
    assert "接替已批准" in approved and 'data-status="approved"' in approved
    contracts = client.get(f"/batches/{ex.code}/contracts").get_data(as_text=True)
    assert contracts.count('data-testid="takeover-contract"') == 3
    restored = _post(client, f"/takeovers/{takeover.id}/restore", restored_on=utcnow().date().isoformat(), confirm="y",
                     note="已恢复生产").get_data(as_text=True)
    assert "原中选企业已恢复供应" in restored and 'data-status="restored"' in restored
    session.expire_all()
    moved = session.exec(select(Contract).where(Contract.origin == f"T{takeover.id}")).all()
    assert all(c.period_end == utcnow().date() - timedelta(days=1) for c in moved)
    session.commit()
    _logout(client)

    login(client, "a2_supplier_rep")  # the taker sees its takeover, the hospital elsewhere does not see others'
    assert client.get(f"/takeovers/{takeover.id}").status_code == 200
    _logout(client)
    login(client, "b_price_officer")
    assert client.get(f"/takeovers/{takeover.id}").status_code == 404
