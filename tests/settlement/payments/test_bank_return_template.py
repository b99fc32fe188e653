"""The bank-return template offered on a released run's page: the run's instruction references
under the documented header (docs/bank-return.md); filled in, it imports as it is."""

from __future__ import annotations

import io
from datetime import date

from sqlmodel import select

from accounts.roles import Role
from settlement import services
from settlement.models import PaymentInstruction
from settlement.payments.bankreturns import TEMPLATE_HEADER, parse_bank_return, return_template
from tests.conftest import csrf_token, login
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401


def test_the_template_parses_once_filled_in():
    blank = return_template(["R-1", "R-2"]).decode("utf-8-sig")
    assert blank.splitlines() == [",".join(TEMPLATE_HEADER), "R-1,,", "R-2,,"]
    unfilled = parse_bank_return(blank.encode())
    assert [e.column for e in unfilled.errors] == ["status", "status"]  # the bank's answer is missing
    filled = blank.replace("R-1,,", "R-1,成功,").replace("R-2,,", "R-2,失败,收款账户已冻结").encode("utf-8-sig")
    parsed = parse_bank_return(filled)
    assert parsed.ok and [(r.reference, str(r.status), r.reason) for r in parsed.rows] == [
        ("R-1", "paid", ""), ("R-2", "failed", "收款账户已冻结")]


def test_the_run_page_offers_the_template_and_it_imports(client, session, world, setup, officer_b):  # noqa: F811
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    d = services.record_delivery(session, supplier, services.DeliveryInput(setup.contracts["YP001"].code, 100,
                                                                           date(2026, 10, 2)), NOW)
    acc = services.accept_delivery(session, hospital, d.id, 100, date(2026, 10, 2), NOW)
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [acc.id], True, "", NOW)
    run = services.run_settlement(session, officer, setup.code, "2026-10", NOW).run
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer, run.id, NOW)
    (inst,) = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).all()
    run_id, inst_id, reference = run.id, inst.id, inst.reference
    session.close()  # the pages write in their own transactions
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = client.get(f"/settlement/officer/runs/{run_id}").get_data(as_text=True)
    assert f'href="/settlement/officer/runs/{run_id}/bank-return-template.csv" data-testid="bank-return-template"' in page
    got = client.get(f"/settlement/officer/runs/{run_id}/bank-return-template.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    text = got.data.decode("utf-8-sig")
    assert text.splitlines() == ["指令编号,状态,失败原因", f"{reference},,"]
    filled = text.replace(f"{reference},,", f"{reference},失败,收款账户已冻结").encode("utf-8-sig")
    token = csrf_token(client, f"/settlement/officer/runs/{run_id}")
    client.post(f"/settlement/officer/runs/{run_id}/bank-return",
                data={"csrf_token": token, "file": (io.BytesIO(filled), "return.csv")}, content_type="multipart/form-data")
    answered = session.get(PaymentInstruction, inst_id)
    assert (answered.status, answered.failure_reason) == ("failed", "收款账户已冻结")
    session.close()
    foreign = world.actors[("B", Role.SETTLEMENT_OFFICER)]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("B", Role.SETTLEMENT_OFFICER))
    assert foreign and client.get(f"/settlement/officer/runs/{run_id}/bank-return-template.csv").status_code == 404
