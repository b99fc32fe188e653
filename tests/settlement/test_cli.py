"""``flask settlement run`` prints the totals and is a no-op the second time; ``bank-return``
applies a bank's answer and refuses a bad file with exit 2."""

from __future__ import annotations

from sqlmodel import select

from accounts.roles import Role
from settlement import services
from settlement.models import PaymentInstruction, SettlementRun
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import deliver_and_accept


def test_run_and_bank_return_from_the_cli(app, db, session, world, setup, officer_b, tmp_path):  # noqa: F811
    supplier, hospital = world.actors[("A", Role.SUPPLIER_REP)], world.actors[("A", Role.HOSPITAL_BUYER)]
    services.grant_prepayment(session, None, setup.code, "A-hospital", NOW)
    accs = deliver_and_accept(session, world, setup, [("YP001", 1000, 1000, 3)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    services.reconcile(session, hospital, [a.id for a in accs], True, "", NOW)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["settlement", "run", setup.code, "2026-10"])
    assert result.exit_code == 0, result.output
    assert "gross ¥123.40" in result.output and "paid by the fund ¥86.38" in result.output
    again = runner.invoke(args=["settlement", "run", setup.code, "2026-10"])
    assert again.exit_code == 0 and "nothing new" in again.output
    assert runner.invoke(args=["settlement", "run", "NOPE", "2026-10"]).exit_code == 2
    session.expire_all()
    run = session.exec(select(SettlementRun)).one()
    assert run.computed_by is None
    services.approve_run(session, officer_b, run.id, NOW)
    services.release_files(session, officer_b, run.id, NOW)
    inst = session.exec(select(PaymentInstruction)).one()
    session.commit()  # end the test's own write transaction before the CLI writes
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01binary")
    assert runner.invoke(args=["settlement", "bank-return", str(run.id), str(bad)]).exit_code == 2
    good = tmp_path / "return.csv"
    good.write_text(f"指令编号,状态\n{inst.reference},成功\n", encoding="utf-8")
    result = runner.invoke(args=["settlement", "bank-return", str(run.id), str(good)])
    assert result.exit_code == 0 and "paid 1" in result.output, result.output
    session.expire_all()
    assert session.get(PaymentInstruction, inst.id).status == "paid"
