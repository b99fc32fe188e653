"""The run's money in SQL equals the pure core's, to the fen: random months of several hospitals
and suppliers settled by ``run_settlement`` (SQL path, and the Python path it falls back to)
against :func:`settle_shares` over the same lines (SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlmodel import select

from accounts import services as accounts
from accounts.models import Organisation
from accounts.roles import OrgKind, Role
from core.money import line_amount_fen
from evaluation.models import Evaluation
from procurement.models import Batch, BatchItem, Item
from review.models import Contract
from settlement import services
from settlement.execution.prepayment import balances
from settlement.models import (
    DeductionStatement,
    PaymentInstruction,
    PrepaymentEntry,
    SettlementRun,
    SettlementShare,
)
from settlement.money.data import BankAccount, ShareTotal
from settlement.money.settle import settle_shares
from settlement.runs import shares as sql_shares
from settlement.runs.services import account_of, settings_of
from tests.conftest import PASSWORD
from tests.settlement.fixtures_db import NOW, SIGNED, _batch_in_execution, make_items

RULES = ("proportional", "first", "none")


def _org(session, code: str, kind: OrgKind, region: str, account: str | None) -> Organisation:
    """A hospital (no account) or supplier (an account) through the real service."""
    return accounts.create_organisation(session, None, code=code, name=f"机构{code}", kind=kind, region_code=region,
                                        bank_cnaps="102100099996" if account else None, bank_account=account)


def _actor(session, org: Organisation, role: Role):
    """A user of ``org`` as an actor."""
    user = accounts.create_user(session, None, username=f"u_{org.code.lower()}", display_name=org.code,
                                password=PASSWORD, role=role, org_id=org.id)
    return accounts.actor_for(session, user)


def _instance(session, world, seed: int):
    """A random month: 2–5 hospitals × 2–4 suppliers (codes not in id order), contracts at random
    prices (some so low that a small line rounds to 0 fen), random deliveries accepted in full or
    in part, prepayment for some
    hospitals; every line applied and confirmed. The expected lines: (hospital, supplier, gross)."""
    rnd = random.Random(seed)
    even = seed % 2 == 0  # equal shares, so remainders tie (ties → the lower supplier code)
    make_items(session)
    batch_id = _batch_in_execution(session, world, f"SH{seed}", rules={"prepayment_offset": RULES[(seed // 2) % 2 if even else seed % 3],
                                                                        "prepayment_ratio": str(rnd.choice(
                                                                            ("0.3", "0.5", "0.37", "1")))})
    hospitals = [_org(session, f"H{seed}-{c}", OrgKind.HOSPITAL, "370100", None)
                 for c in rnd.sample("abcdefgh", rnd.randint(2, 5))]
    suppliers = [_org(session, f"S{seed}-{c}", OrgKind.SUPPLIER, "370200", f"62220000{n:08d}")
                 for n, c in enumerate(rnd.sample("pqrstuvw", rnd.randint(2, 4)))]
    items = {i.code: session.exec(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                          BatchItem.item_id == i.id)).one()
             for i in session.exec(select(Item)).all()}
    ev = session.exec(select(Evaluation).where(Evaluation.batch_id == batch_id)).first()
    if ev is None:
        ev = Evaluation(batch_id=batch_id, version=1, status="done", rules_json="{}", created_at=SIGNED)
        session.add(ev)
        session.flush()
    contracts = []
    for h in hospitals:
        for item_code, bi in items.items():
            s = rnd.choice(suppliers)
            c = Contract(code=f"HT{seed}-{h.code}-{item_code}", batch_id=batch_id, evaluation_id=ev.id,
                         batch_item_id=bi.id, hospital_org_id=h.id, supplier_org_id=s.id,
                         ucp_e4=3333 if even else rnd.choice((rnd.randint(1, 60), rnd.randint(1, 99_999))), reported_demand=20_000,
                         agreed_volume=rnd.randint(1, 10) if even else rnd.randint(1, 10_000), period_start=date(2026, 10, 1),
                         period_end=date(2027, 9, 30), status="signed", hospital_signed_at=SIGNED,
                         supplier_signed_at=SIGNED, created_at=SIGNED)
            session.add(c)
            contracts.append((c, h, s))
    session.commit()
    code = session.get(Batch, batch_id).code
    for h in hospitals:
        if rnd.random() < 0.7:
            services.grant_prepayment(session, None, code, h.code, NOW)
    sup_actor = {s.id: _actor(session, s, Role.SUPPLIER_REP) for s in suppliers}
    hosp_actor = {h.id: _actor(session, h, Role.HOSPITAL_BUYER) for h in hospitals}
    lines, accepted = [], {}
    # even: one equal line per contract, and advances smaller than the grosses (odd offsets)
    for c, h, s in contracts if even else (rnd.choice(contracts) for _ in range(rnd.randint(3, 25))):
        shipped = 7 if even else rnd.randint(1, 400)
        got = rnd.randint(1, shipped) if rnd.random() < 0.3 and not even else shipped
        day = date(2026, 10, rnd.randint(1, 31))
        d = services.record_delivery(session, sup_actor[s.id], services.DeliveryInput(c.code, shipped, day), NOW)
        acc = services.accept_delivery(session, hosp_actor[h.id], d.id, got, day, NOW)
        accepted.setdefault(h.id, []).append(acc.id)
        lines.append((h.code, s.code, line_amount_fen(got, c.ucp_e4)))
    for s in suppliers:
        if not any(supplier == s.code for _h, supplier, _g in lines):
            continue  # nothing delivered: nothing to apply for
        services.apply_for_settlement(session, sup_actor[s.id], batch_id, "2026-10", NOW)
    for h_id, ids in accepted.items():
        services.reconcile(session, hosp_actor[h_id], ids, True, "", NOW)
    return code, batch_id, lines


def _expected(session, world, code: str, batch_id: int, lines, run_ref: str):
    """The pure core over the same lines and advances."""
    fund = world.orgs[("A", OrgKind.FUND)]
    payer = account_of(fund)
    orgs = {o.code: o for o in session.exec(select(Organisation)).all()}
    totals: dict[tuple[str, str], list[int]] = {}
    for h, s, gross in lines:
        if gross > 0:
            t = totals.setdefault((h, s), [0, 0])
            t[0] += gross
            t[1] += 1
    by_id = balances(session, batch_id)
    advances = {o.code: by_id[o.id] for o in orgs.values() if o.id in by_id}
    share_totals = [ShareTotal(h, s, account_of(orgs[s]), payer, g, n) for (h, s), (g, n) in totals.items()]
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    return settle_shares(share_totals, advances, settings_of(batch), run_ref=run_ref), orgs


@pytest.mark.parametrize("path", ["sql", "python"])
@pytest.mark.parametrize("seed", range(1, 9))
def test_the_run_settles_to_the_fen_of_the_pure_core(session, world, seed, path, monkeypatch):
    if path == "python":  # every hospital "too large": the pure core's path
        monkeypatch.setattr(sql_shares, "SAFE_GROSS_FEN", 0)
    code, batch_id, lines = _instance(session, world, seed)
    if not any(g for *_x, g in lines):
        pytest.skip("nothing payable in this instance")
    officer = world.actors[("A", Role.SETTLEMENT_OFFICER)]
    run_ref = f"S{batch_id}-202610-1"
    expected, orgs = _expected(session, world, code, batch_id, lines, run_ref)
    run = services.run_settlement(session, officer, code, "2026-10", NOW).run
    code_of = {o.id: o.code for o in orgs.values()}
    assert (run.run_ref, run.gross_fen, run.offset_fen, run.paid_fen) == (
        run_ref, expected.gross_fen, expected.offset_fen, expected.paid_fen)
    got_inst = sorted((i.reference, code_of[i.supplier_org_id], i.amount_fen, i.line_count, i.remittance,
                       BankAccount(i.payee_account, i.payee_name, i.payee_cnaps, i.payee_bank))
                      for i in session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)))
    assert got_inst == sorted((i.reference, i.supplier_code, i.amount_fen, i.line_count, i.remittance, i.payee)
                              for i in expected.instructions)
    ref_of = {i.id: i.reference for i in session.exec(select(PaymentInstruction)
                                                       .where(PaymentInstruction.run_id == run.id))}
    got_shares = {(code_of[x.hospital_org_id], code_of[x.supplier_org_id]):
                  (x.gross_fen, x.offset_fen, x.paid_fen, x.line_count, ref_of.get(x.instruction_id))
                  for x in session.exec(select(SettlementShare).where(SettlementShare.run_id == run.id))}
    assert got_shares == {(x.share.hospital_code, x.share.supplier_code):
                          (x.share.gross_fen, x.offset_fen, x.paid_fen, x.share.line_count, x.instruction_ref)
                          for x in expected.shares}
    in_id_order = [(code_of[x.hospital_org_id], code_of[x.supplier_org_id]) for x in session.exec(
        select(SettlementShare).where(SettlementShare.run_id == run.id).order_by(SettlementShare.id))]
    assert in_id_order == sorted(in_id_order)  # written in code order, as the pure core lists them
    got_st = {code_of[st.hospital_org_id]: (st.gross_fen, st.offset_fen, st.net_deducted_fen, st.advance_before_fen,
                                            st.advance_after_fen, st.line_count)
              for st in session.exec(select(DeductionStatement).where(DeductionStatement.run_id == run.id))}
    assert got_st == {st.hospital_code: (st.gross_fen, st.offset_fen, st.net_deducted_fen, st.advance_before_fen,
                                         st.advance_after_fen, st.line_count) for st in expected.statements}
    got_offsets = {code_of[e.hospital_org_id]: (e.entry_key, e.amount_fen) for e in session.exec(
        select(PrepaymentEntry).where(PrepaymentEntry.run_id == run.id))}
    assert got_offsets == {st.hospital_code: (f"offset:{run.id}:{orgs[st.hospital_code].id}", -st.offset_fen)
                           for st in expected.statements if st.offset_fen}
    assert session.exec(select(SettlementRun).where(SettlementRun.batch_id == batch_id)).one().id == run.id
