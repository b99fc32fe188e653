"""Repeated settlement steps are no-ops that say so. A bank return already applied is a no-op in
every state (a failed instruction since re-issued included), by the service, the CLI and the
web upload alike; a repeat writes no log row and no audit row, also when the same file is
imported by 24 officers at once. Approving and releasing twice record once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from accounts.roles import Role
from core.audit import AuditEntry
from settlement import services
from settlement.models import BankReturnImport, PaymentInstruction
from tests.conftest import csrf_token, login, run_together
from tests.settlement.fixtures_db import NOW, officer_b, setup  # noqa: F401
from tests.settlement.test_services import _released_run


def _counts(session) -> tuple[int, int]:
    """(bank-return log rows, settlement.bank_return audit rows)."""
    session.expire_all()
    logs = session.exec(select(func.count()).select_from(BankReturnImport)).one()
    audits = session.exec(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "settlement.bank_return")).one()
    return logs, audits


def _reissued(session, world, setup, officer_b):  # noqa: F811
    """A released run whose one instruction the bank failed and two officers re-issued; the
    failure file's bytes."""
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run = _released_run(session, world, setup, officer_b)
    inst = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).one()
    failed = f"指令编号,状态,失败原因\n{inst.reference},失败,账户已销户\n".encode()
    first = services.import_bank_return(session, officer, run.id, failed, "r.csv", NOW)
    assert (first.failed, first.repeated) == (1, False)
    request = services.request_reissue(session, officer, inst.id, "", NOW + timedelta(days=2)).value
    services.approve_reissue(session, officer_b, request.id, NOW + timedelta(days=2))
    session.refresh(inst)
    assert inst.status == "reissued"
    return run, inst, failed


def test_reimporting_a_failure_after_the_reissue_is_a_no_op(session, world, setup, officer_b):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run, inst, failed = _reissued(session, world, setup, officer_b)
    before = _counts(session)
    again = services.import_bank_return(session, officer, run.id, failed, "r.csv", NOW + timedelta(days=3))
    assert again.repeated and (again.paid, again.failed, again.unchanged) == (0, 0, 1)
    session.refresh(inst)
    assert inst.status == "reissued" and inst.failure_reason == "账户已销户"
    assert _counts(session) == before == (1, 1)
    # but the bank saying the re-issued instruction was paid is a contradiction, still refused
    paid = f"reference,status\n{inst.reference},paid\n".encode()
    try:
        services.import_bank_return(session, officer, run.id, paid, "p.csv", NOW + timedelta(days=3))
    except services.SettlementRefused as exc:
        assert "reissued" in str(exc)
    else:
        raise AssertionError("reissued → paid must be refused")


def test_the_cli_and_the_upload_say_already_applied(app, client, session, world, setup, officer_b,  # noqa: F811
                                                    tmp_path):
    run, _inst, failed = _reissued(session, world, setup, officer_b)
    session.commit()  # end the test's own write transaction before the CLI writes
    path = tmp_path / "return.csv"
    path.write_bytes(failed)
    result = app.test_cli_runner().invoke(args=["settlement", "bank-return", str(run.id), str(path)])
    assert result.exit_code == 0, result.output
    assert "already applied" in result.output
    login(client, world.username("A", Role.SETTLEMENT_OFFICER))
    page = f"/settlement/officer/runs/{run.id}"
    import io

    response = client.post(f"{page}/bank-return", data={"csrf_token": csrf_token(client, page),
                                                        "file": (io.BytesIO(failed), "return.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "已应用过" in response.get_data(as_text=True)
    assert _counts(session) == (1, 1)


def test_the_same_return_imported_24_times_at_once_is_logged_once(db, session, world, setup, officer_b):  # noqa: F811
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run = _released_run(session, world, setup, officer_b)
    inst = session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)).one()
    content = f"reference,status\n{inst.reference},paid\n".encode()
    session.commit()

    def officer_imports(_i, start) -> bool:
        with db.write_session() as s:
            start()
            return services.import_bank_return(s, officer, run.id, content, "r.csv", NOW).repeated

    outcomes = run_together(24, officer_imports)
    assert sorted(outcomes) == [False] + [True] * 23
    assert _counts(session) == (1, 1)
    assert session.get(PaymentInstruction, inst.id).status == "paid"


def test_approving_and_releasing_twice_record_once(db, session, world, setup, officer_b):  # noqa: F811
    from settlement.models import BankFileRecord

    run = _released_run(session, world, setup, officer_b)  # approved and released once already
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    assert services.approve_run(session, officer_b, run.id, NOW).repeated
    session.commit()

    def release(_i, start) -> bool:
        with db.write_session() as s:
            start()
            return services.release_files(s, officer, run.id, NOW).repeated

    assert run_together(8, release) == [True] * 8
    session.expire_all()
    for action in ("settlement.approve", "settlement.release"):
        assert session.exec(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)).one() == 1
    assert session.exec(select(func.count()).select_from(BankFileRecord)).one() == 3  # xml, csv, summary


def test_confirming_lines_again_changes_nothing(session, world, setup):  # noqa: F811
    from settlement.models import Acceptance
    from tests.settlement.test_services import actors, deliver_and_accept

    supplier, hospital, _officer = actors(world)
    accs = deliver_and_accept(session, world, setup, [("YP001", 100, 100, 2), ("YP003", 50, 50, 3)])
    services.apply_for_settlement(session, supplier, setup.batch_id, "2026-10", NOW)
    ids = [a.id for a in accs]
    assert services.reconcile(session, hospital, ids, True, "", NOW) == 2
    places = [session.get(Acceptance, pk).claim_seq for pk in ids]
    assert services.reconcile(session, hospital, ids, True, "", NOW) == 0  # a double click: a no-op
    session.expire_all()
    assert [session.get(Acceptance, pk).claim_seq for pk in ids] == places  # the lines keep their place
    assert services.reconcile(session, hospital, ids[:1], False, "数量不符", NOW) == 1
    assert services.reconcile(session, hospital, ids[:1], False, "数量不符", NOW) == 0
    audits = session.exec(select(AuditEntry.action).where(AuditEntry.action.in_(
        ("settlement.confirm", "settlement.dispute"))).order_by(AuditEntry.id)).all()
    assert audits == ["settlement.confirm", "settlement.dispute"]
