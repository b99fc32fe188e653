"""Demo batches in the later stages of the lifecycle — in bidding, under review, under publicity
(with an objection waiting for its answer), and in execution with several settled months —
each made by running the real use cases at moved times (every service takes ``now``), never by
writing result rows: the demand is uploaded, the bids are sealed and opened, the optimizer
runs, the second officer approves, the publicity ends, both parties sign, the suppliers ship,
the hospitals accept, return and reconcile, the fund runs, approves and releases each month,
and the bank answers (once with a failed payment)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from accounts.actor import Actor
from accounts.models import Organisation, User
from bidding import services as bidding
from bidding.keys import KeyRing
from bidding.pricing import Eligibility
from core.db import Database
from demo.pipeline import demand_workbook, officer
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand
from review import services as review
from review.models import Contract
from settlement import services as settlement
from settlement.models import Acceptance, Delivery, PaymentInstruction

#: The failure reason the demo's bank answers for one payment.
FROZEN = "收款账户已冻结"


@dataclass(frozen=True)
class Stage:
    """What one demo batch shows, and which login sees it best."""

    code: str
    shows: str
    logins: str


def _user(session: Session, username: str) -> User:
    """A demo account."""
    return session.exec(select(User).where(User.username == username)).one()


def act_for(user: User, org: Organisation) -> Actor:
    """The demo account ``user`` acting for ``org`` (the demo has one account per role; the
    other hospitals and suppliers act through it, as the bulk bids of the demo do)."""
    return Actor(user.id, user.username, user.role, org.id, org.kind, org.region_code)


def _e4(text: str) -> int:
    """Yuan text to 1/10000 yuan."""
    return int(Decimal(text) * 10000)


def _month_start(day: date, months_back: int) -> date:
    """The first day of the month ``months_back`` months before ``day``'s."""
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return _month_start(day, -1)


def _at(day: date, hour: int = 2) -> datetime:
    """A UTC time on ``day`` (02:00 UTC is 10:00 in Beijing)."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _hospitals(session: Session, cities: list[str]) -> list[Organisation]:
    """The demo hospitals of ``cities``, by code."""
    return list(session.exec(select(Organisation).where(Organisation.kind == "hospital",
                                                        Organisation.region_code.in_(cities))
                             .order_by(Organisation.code)).all())


def _suppliers(session: Session) -> list[Organisation]:
    """The demo suppliers, by code (the first is the demo supplier login's)."""
    return list(session.exec(select(Organisation).where(Organisation.kind == "supplier")
                             .order_by(Organisation.code)).all())


def _new_batch(session: Session, code: str, name: str, drugs, cities: list[str], start: datetime,
               timeline: procurement.Timeline, seed: int) -> None:
    """Create the batch at ``start``, open demand and have every hospital of ``cities`` report."""
    actor = officer(session)
    procurement.create_batch(session, actor, code=code, name=name, timeline=timeline, now=start)
    for row in drugs:
        procurement.add_batch_item(session, actor, code, row[0], _e4(row[7]), _e4(row[8]), now=start)
    procurement.set_batch_regions(session, actor, code, cities, now=start)
    procurement.transition_batch(session, actor, code, "open_demand", now=start)
    rng = random.Random(seed)
    rows = []
    for hospital in _hospitals(session, cities):
        scale = 5 if (hospital.level or "").startswith("三级") else 1
        for drug in drugs:
            last = rng.randint(2, 30) * 1000 * scale
            rows.append((hospital.code, drug[0], last, last * rng.randint(85, 105) // 100))
    submit_bulk_demand(session, actor, code, demand_workbook(rows), "demo-demand.xlsx", start + timedelta(days=2))


def _seal_bids(session: Session, keyring: KeyRing, code: str, drugs, when: datetime, seed: int,
               with_demo_supplier: bool = True, others: int = 3) -> None:
    """``others`` suppliers bid on each drug (no more winners than supply regions, so that the
    allocation is feasible); the demo supplier (first) bids lowest when it bids."""
    rng = random.Random(seed)
    rep = _user(session, "supplier")
    suppliers = _suppliers(session)
    demo, rest = suppliers[0], suppliers[1:]
    for drug in drugs:
        max_e4, pack = _e4(drug[7]), drug[6]
        chosen = rng.sample(rest, min(len(rest), others))
        bidders = ([(demo, 0.20)] if with_demo_supplier else []) + [(s, rng.uniform(0.3, 0.9)) for s in chosen]
        for n, (supplier, share) in enumerate(bidders):
            unit_e4 = max(1, int(max_e4 * share))
            bid = bidding.BidInput(drug[0], Decimal(drug[3]), drug[4], pack, unit_e4 * pack, 40_000_000,
                                   Eligibility.CONSISTENCY_GENERIC)
            bidding.submit_bid(session, act_for(rep, supplier), code, bid, keyring, when + timedelta(minutes=7 * n))


def bidding_batch(session: Session, keyring: KeyRing, drugs, cities: list[str], now: datetime, year: int) -> Stage:
    """Demand collected, bids sealed by some suppliers — not yet by the demo supplier."""
    code = f"SD-{year}-DEMO-BID"
    start = now - timedelta(days=16)
    timeline = procurement.Timeline(start + timedelta(days=14), now + timedelta(days=7),
                                    now + timedelta(days=7, hours=1), date(year + 1, 1, 1), date(year + 1, 12, 31))
    _new_batch(session, code, f"山东省{year}年第三批药品集中带量采购（演示：申报中）", drugs, cities, start, timeline, 21)
    procurement.transition_batch(session, officer(session), code, "close_demand", now=start + timedelta(days=14))
    _seal_bids(session, keyring, code, drugs, now - timedelta(hours=20), 22, with_demo_supplier=False)
    return Stage(code, "申报中：报量已截止，企业正在递交密封报价（演示企业尚未报价）", "supplier")


def _evaluated(db: Database, session: Session, keyring: KeyRing, code: str, name: str, drugs, cities: list[str],
               opening: datetime, seed: int, others: int = 3) -> datetime:
    """A batch created 25 days before ``opening``, demand reported, bids sealed and opened at
    ``opening``, evaluated an hour later; the time the evaluation was requested."""
    start = opening - timedelta(days=25)
    timeline = procurement.Timeline(start + timedelta(days=10), opening - timedelta(hours=1), opening,
                                    date(opening.year + 1, 1, 1), date(opening.year + 1, 12, 31))
    return _evaluated_with(db, session, keyring, code, name, drugs, cities, start, timeline, seed, others)


def _evaluated_with(db: Database, session: Session, keyring: KeyRing, code: str, name: str, drugs,
                    cities: list[str], start: datetime, timeline: procurement.Timeline, seed: int,
                    others: int = 3) -> datetime:
    """:func:`_evaluated` for a given timeline."""
    _new_batch(session, code, name, drugs, cities, start, timeline, seed)
    actor = officer(session)
    procurement.transition_batch(session, actor, code, "close_demand", now=timeline.demand_deadline)
    _seal_bids(session, keyring, code, drugs, timeline.demand_deadline + timedelta(days=1), seed + 1, others=others)
    bidding.open_bids(session, None, code, keyring, timeline.opening_at)
    asked = timeline.opening_at + timedelta(hours=1)
    run = evaluation.request_evaluation(session, actor, code, asked, note="演示").value
    session.close()  # the run writes in its own transactions
    done = evaluation.claim_and_run(db, run.id, actor)
    if done is None or done.status != "done":
        raise RuntimeError(f"demo evaluation of {code} did not finish: {getattr(done, 'error', '')}")
    review.submit_for_review(session, actor, code, done.version, asked + timedelta(hours=1))
    return asked


def review_batch(db: Database, session: Session, keyring: KeyRing, drugs, cities: list[str], now: datetime,
                 year: int) -> Stage:
    """Evaluated by officer, submitted for review: waiting for the second officer (four-eyes)."""
    code = f"SD-{year}-DEMO-R"
    _evaluated(db, session, keyring, code, f"山东省{year}年第四批药品集中带量采购（演示：待审核）", drugs, cities,
               now - timedelta(days=1), 31)
    return Stage(code, "待审核：王价格已提交评审结果，等待第二名价格处工作人员审核（双人审核）", "officer2")


def publicity_batch(db: Database, session: Session, keyring: KeyRing, drugs, cities: list[str], now: datetime,
                    year: int) -> Stage:
    """Approved yesterday by the second officer: under publicity, with an unanswered objection."""
    code = f"SD-{year}-DEMO-P"
    asked = _evaluated(db, session, keyring, code, f"山东省{year}年第五批药品集中带量采购（演示：公示中）", drugs,
                       cities, now - timedelta(days=4), 41)
    approved = max(asked + timedelta(hours=3), now - timedelta(days=1))
    review.decide(session, officer(session, "officer2"), code, True, "", approved)
    supplier = _suppliers(session)[1]
    review.lodge_objection(session, act_for(_user(session, "supplier"), supplier), code,
                           "我公司对第二个品种的中选价格计算有异议，请核对差比价。", None, approved + timedelta(hours=5))
    return Stage(code, "公示中：拟中选结果公示，有一条异议待答复；公示期满并答复后由调度程序发布", "officer · hospital")


def execution_batch(db: Database, session: Session, keyring: KeyRing, drugs, cities: list[str], now: datetime) -> Stage:
    """In execution for four months: contracts signed, deliveries, acceptances, a return, three
    months settled (prepayment offsets, bank files, a failed payment in the last), last month's
    lines waiting to be applied for, and this month's deliveries waiting to be accepted."""
    today = now.date()
    cycle_start = _month_start(today, 4)
    cycle_end = date(cycle_start.year + 1, cycle_start.month, 1) - timedelta(days=1)
    start = _at(cycle_start) - timedelta(days=60)
    code = f"SD-{cycle_start.year}-DEMO-E"
    timeline = procurement.Timeline(start + timedelta(days=10), start + timedelta(days=20),
                                    start + timedelta(days=20, hours=1), cycle_start, cycle_end)
    asked = _evaluated_with(db, session, keyring, code, f"山东省{cycle_start.year}年药品集中带量采购（演示：执行中）",
                            drugs, cities, start, timeline, 51, others=1)
    approved = asked + timedelta(days=1)
    review.decide(session, officer(session, "officer2"), code, True, "", approved)
    published = approved + timedelta(days=4)
    review.end_publicity(session, None, code, published)
    _sign_all(session, code, published + timedelta(days=2))
    procurement.transition_batch(session, officer(session), code, "start_execution", now=_at(cycle_start, 1))
    for k in range(4):
        month = _month_start(today, 4 - k)
        _deliver_month(session, code, month, returned=(k == 1))
        if k < 3:  # last month's lines wait for the suppliers' application (their window: 1st–3rd)
            _apply(session, code, month)
            _settle(session, code, month, fail_demo_supplier=(k == 2))
    _deliver_current(session, code, now)
    return Stage(code, "执行中：协议已签订，已结算三个月（预付款冲抵、银行文件、一笔支付失败），上月待申请结算，"
                       "本月发货待验收", "settle · settle2 · hospital · supplier")


def _contracts(session: Session, code: str) -> list[Contract]:
    """The batch's contracts, by id."""
    from procurement.models import Batch

    batch_id = session.exec(select(Batch.id).where(Batch.code == code)).one()
    return list(session.exec(select(Contract).where(Contract.batch_id == batch_id).order_by(Contract.id)).all())


def _sign_all(session: Session, code: str, when: datetime) -> None:
    """Every hospital and every winning supplier confirms its contracts."""
    contracts = _contracts(session, code)
    hospital, supplier = _user(session, "hospital"), _user(session, "supplier")
    for org_id in sorted({c.hospital_org_id for c in contracts}):
        review.sign_all(session, act_for(hospital, session.get(Organisation, org_id)), code, when)
    for org_id in sorted({c.supplier_org_id for c in contracts}):
        review.sign_all(session, act_for(supplier, session.get(Organisation, org_id)), code,
                        when + timedelta(hours=3))


def _deliver_month(session: Session, code: str, month: date, returned: bool) -> None:
    """One shipment per contract in ``month`` (about a twelfth of the agreed volume), accepted
    two days later — every third one unit short; in the return month the demo hospital sends
    some back."""
    hospital_user, supplier_user = _user(session, "hospital"), _user(session, "supplier")
    contracts = _contracts(session, code)
    by_supplier: dict[int, list[Contract]] = {}
    for c in contracts:
        by_supplier.setdefault(c.supplier_org_id, []).append(c)
    when = _at(month + timedelta(days=20))
    for supplier_id, own in sorted(by_supplier.items()):
        lines = [settlement.DeliveryInput(c.code, max(3, c.agreed_volume // 12), month + timedelta(days=4 + c.id % 10),
                                          f"FH{month:%y%m}{c.id:05d}") for c in own]
        settlement.record_deliveries(session, act_for(supplier_user, session.get(Organisation, supplier_id)), lines,
                                     when, source="demo")
    deliveries = session.exec(select(Delivery).where(Delivery.shipped_on >= month, Delivery.shipped_on < _next_month(month),
                                                     Delivery.contract_id.in_([c.id for c in contracts]))
                              .order_by(Delivery.id)).all()
    first_of_demo = None
    for n, d in enumerate(deliveries):
        actor = act_for(hospital_user, session.get(Organisation, d.hospital_org_id))
        quantity = d.quantity - (1 if n % 3 == 2 else 0)
        acc = settlement.accept_delivery(session, actor, d.id, quantity, d.shipped_on + timedelta(days=2), when)
        if returned and first_of_demo is None and d.hospital_org_id == hospital_user.org_id:
            first_of_demo = (actor, acc)
    if first_of_demo is not None:
        actor, acc = first_of_demo
        settlement.return_goods(session, actor, acc.id, max(1, acc.quantity // 10), acc.accepted_on + timedelta(days=2),
                                "外包装破损，退回", when + timedelta(days=1))


def _apply(session: Session, code: str, month: date) -> None:
    """Every supplier with accepted lines applies on the 2nd of the next month."""
    supplier_user = _user(session, "supplier")
    batch_id = _contracts(session, code)[0].batch_id
    ids = session.exec(select(Acceptance.supplier_org_id).where(Acceptance.batch_id == batch_id,
                                                                Acceptance.applied_month.is_(None)).distinct()).all()
    when = _at(_next_month(month) + timedelta(days=1))
    for org_id in sorted(ids):
        settlement.apply_for_settlement(session, act_for(supplier_user, session.get(Organisation, org_id)), batch_id,
                                        f"{month:%Y-%m}", when)


def _settle(session: Session, code: str, month: date, fail_demo_supplier: bool) -> None:
    """Hospitals confirm on the 4th; the fund runs on the 7th, the second officer approves, the
    files go to the bank, whose answer comes on the 9th (one payment failed in the last month)."""
    hospital_user = _user(session, "hospital")
    batch_id = _contracts(session, code)[0].batch_id
    after = _next_month(month)
    pending = session.exec(select(Acceptance.hospital_org_id, Acceptance.id).where(
        Acceptance.batch_id == batch_id, Acceptance.applied_month.is_not(None),
        Acceptance.reconcile_status == "pending")).all()
    by_hospital: dict[int, list[int]] = {}
    for org_id, pk in pending:
        by_hospital.setdefault(org_id, []).append(pk)
    for org_id, ids in sorted(by_hospital.items()):
        settlement.reconcile(session, act_for(hospital_user, session.get(Organisation, org_id)), ids, True, "",
                             _at(after + timedelta(days=3)))
    settle, settle2 = (officer_actor(session, name) for name in ("settle", "settle2"))
    run = settlement.run_settlement(session, settle, code, f"{month:%Y-%m}", _at(after + timedelta(days=6))).run
    settlement.approve_run(session, settle2, run.id, _at(after + timedelta(days=6), 6))
    settlement.release_files(session, settle, run.id, _at(after + timedelta(days=6), 7))
    demo_supplier = _suppliers(session)[0].id
    rows = ["指令编号,状态,失败原因"]
    for inst in session.exec(select(PaymentInstruction).where(PaymentInstruction.run_id == run.id)
                             .order_by(PaymentInstruction.id)).all():
        failed = fail_demo_supplier and inst.supplier_org_id == demo_supplier
        rows.append(f"{inst.reference},{'失败' if failed else '成功'},{FROZEN if failed else ''}")
    settlement.import_bank_return(session, settle, run.id, ("\n".join(rows) + "\n").encode(), "demo-bank-return.csv",
                                  _at(after + timedelta(days=8)))


def officer_actor(session: Session, username: str) -> Actor:
    """A demo settlement officer as an actor."""
    from accounts.services import actor_for

    return actor_for(session, _user(session, username))


def _deliver_current(session: Session, code: str, now: datetime) -> None:
    """The demo supplier ships to the demo hospital today: waiting for acceptance."""
    hospital_org = _user(session, "hospital").org_id
    supplier_user = _user(session, "supplier")
    mine = [c for c in _contracts(session, code) if c.hospital_org_id == hospital_org]
    if not mine:
        return
    by_supplier: dict[int, list[Contract]] = {}
    for c in mine:
        by_supplier.setdefault(c.supplier_org_id, []).append(c)
    for supplier_id, own in sorted(by_supplier.items()):
        lines = [settlement.DeliveryInput(c.code, max(3, c.agreed_volume // 12), now.date(), f"FH{now:%y%m%d}{c.id:05d}")
                 for c in own]
        settlement.record_deliveries(session, act_for(supplier_user, session.get(Organisation, supplier_id)), lines,
                                     now, source="demo")
