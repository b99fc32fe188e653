"""The supply-guarantee demo batch (保供): a batch in execution whose cheaper winner stops
supplying — the demo hospital reports it, the supplier answers late, the officer reminds and
interviews, declares the failure in the winner's three cities and the second officer approves
the takeover by the stored backup supplier, which signs and delivers; the breach is recorded,
stated and confirmed, and the rating waits for the second officer's confirmation (four-eyes).

Everything runs through the real use cases at moved times, like the other demo batches."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from accounts.models import Organisation
from bidding import services as bidding
from core.db import Database
from credit import services as credit
from demo.lifecycle import (
    Stage,
    _at,
    _contracts,
    _deliver_month,
    _e4,
    _hospitals,
    _month_start,
    _seal_bids,
    _sign_all,
    _user,
    act_for,
)
from demo.pipeline import demand_workbook, officer
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand
from review import services as review
from review.models import Contract
from settlement import services as settlement
from settlement.models import Delivery
from supply import services as supply

RULES = {"backup": True, "max_winners": {"minus": 0, "cap": 10}}  # two bidders, two winners, backups on


def _published(db: Database, session: Session, keyring, code: str, drugs, cities: list[str], cycle_start: date) -> None:
    """Created 60 days before the cycle, demand reported, two bids opened, evaluated, approved,
    published, signed; in execution from the cycle start."""
    actor, start = officer(session), _at(cycle_start) - timedelta(days=60)
    timeline = procurement.Timeline(start + timedelta(days=10), start + timedelta(days=20),
                                    start + timedelta(days=20, hours=1), cycle_start,
                                    date(cycle_start.year + 1, cycle_start.month, 1) - timedelta(days=1))
    procurement.create_batch(session, actor, code=code, name=f"山东省{cycle_start.year}年药品集中带量采购（演示：保供）",
                             timeline=timeline, rules=RULES, now=start)
    for row in drugs:
        procurement.add_batch_item(session, actor, code, row[0], _e4(row[7]), _e4(row[8]), now=start)
    procurement.set_batch_regions(session, actor, code, cities, now=start)
    procurement.transition_batch(session, actor, code, "open_demand", now=start)
    rows = [(h.code, d[0], 8000 * (4 - n), 8000 * (4 - n)) for n, city in enumerate(cities)
            for h in _hospitals(session, [city]) for d in drugs]
    submit_bulk_demand(session, actor, code, demand_workbook(rows), "demo-demand.xlsx", start + timedelta(days=2))
    procurement.transition_batch(session, actor, code, "close_demand", now=timeline.demand_deadline)
    _seal_bids(session, keyring, code, drugs, timeline.demand_deadline + timedelta(days=1), 61,
               with_demo_supplier=False, others=2)
    bidding_open = timeline.opening_at
    bidding.open_bids(session, None, code, keyring, bidding_open)
    run = evaluation.request_evaluation(session, actor, code, bidding_open + timedelta(hours=1), note="演示").value
    session.close()
    done = evaluation.claim_and_run(db, run.id, actor)
    if done is None or done.status != "done":
        raise RuntimeError(f"demo evaluation of {code} did not finish")
    review.submit_for_review(session, actor, code, done.version, bidding_open + timedelta(hours=2))
    review.decide(session, officer(session, "officer2"), code, True, "", bidding_open + timedelta(days=1))
    review.end_publicity(session, None, code, bidding_open + timedelta(days=5))
    _sign_all(session, code, bidding_open + timedelta(days=6))
    procurement.transition_batch(session, actor, code, "start_execution", now=_at(cycle_start, 1))


def supply_batch(db: Database, session: Session, keyring, drugs, cities: list[str], now: datetime) -> Stage:
    """The 保供 stage (one drug, four cities)."""
    today = now.date()
    cycle_start = _month_start(today, 2)
    code = f"SD-{cycle_start.year}-DEMO-S"
    _published(db, session, keyring, code, drugs, cities, cycle_start)
    _deliver_month(session, code, cycle_start, returned=False)
    contracts = _contracts(session, code)
    failed_id = Counter(c.supplier_org_id for c in contracts).most_common(1)[0][0]
    failed = session.get(Organisation, failed_id)
    hospital_user, supplier_user, officer1, officer2 = (_user(session, "hospital"), _user(session, "supplier"),
                                                        officer(session), officer(session, "officer2"))
    mine = sorted((c for c in contracts if c.supplier_org_id == failed_id),
                  key=lambda c: (c.hospital_org_id != hospital_user.org_id, c.id))
    reporter = act_for(hospital_user, session.get(Organisation, mine[0].hospital_org_id))
    at = now - timedelta(days=20)
    problem = supply.report_problem(session, reporter, supply.ProblemInput(
        mine[0].id, "late", (at - timedelta(days=2)).date(), "约定两日前到货，至今未到，库存仅够三天"), at)
    failed_rep = act_for(supplier_user, failed)
    supply.answer_problem(session, failed_rep, problem.id, "原料药供应商停产，产线暂停，预计一个月后恢复",
                          (now + timedelta(days=10)).date(), at + timedelta(days=3))  # after 48 h: late
    supply.escalate(session, officer1, problem.id, "reminder", "电话提醒企业按协议配送", at + timedelta(days=4))
    supply.escalate(session, officer1, problem.id, "interview", "约谈企业负责人，企业承认无法按期供应", at + timedelta(days=5))
    units = tuple(sorted({session.get(Organisation, c.hospital_org_id).region_code for c in mine}))
    declared = now - timedelta(days=14)
    takeover = supply.propose_takeover(session, officer1, code, supply.TakeoverInput(
        drugs[0][0], failed.code, units, declared.date(), None, None, "中选企业断供，约谈后仍无法恢复供应，由备供企业接替"),
        declared, problem.id)
    supply.decide_takeover(session, officer2, takeover.id, True, "同意由备供企业接替", declared + timedelta(hours=3))
    _sign_all(session, code, declared + timedelta(days=1))
    taker = session.get(Organisation, takeover.taker_org_id)
    new = session.exec(select(Contract).where(Contract.origin == f"T{takeover.id}").order_by(Contract.id)).all()
    shipped = now - timedelta(days=7)
    settlement.record_deliveries(session, act_for(supplier_user, taker), [
        settlement.DeliveryInput(c.code, max(3, c.agreed_volume // 10), shipped.date(), f"JT{c.id:05d}") for c in new],
        shipped, source="demo")
    for d in session.exec(select(Delivery).where(Delivery.contract_id.in_([c.id for c in new])).order_by(Delivery.id)):
        settlement.accept_delivery(session, act_for(hospital_user, session.get(Organisation, d.hospital_org_id)), d.id,
                                   d.quantity, d.shipped_on + timedelta(days=1), shipped + timedelta(days=2))
    recorded = now - timedelta(days=12)
    breach = credit.record_breach(session, officer1, credit.BreachInput(
        failed.id, "supply_failure", declared.date(), "中选后无正当理由断供，经约谈仍未恢复，已启动备供接替",
        ("约谈记录.txt", "约谈记录：企业承认断供。".encode()), takeover.id), recorded)
    credit.state_breach(session, failed_rep, breach.id, "断供因上游原料药停产所致，已寻找替代来源", recorded + timedelta(days=2))
    credit.decide_breach(session, officer1, breach.id, True, "原料药停产不属于不可抗力，企业未履行保供义务",
                         recorded + timedelta(days=3))
    credit.propose_rating(session, officer1, failed.id, now - timedelta(days=2))
    return Stage(code, "保供：中选企业断供，医院报告后企业逾期答复，已提醒和约谈；三个城市的剩余采购量由备供企业接替"
                       "（双人审核），备供企业已签约配送；失信事项已确认，信用评级待第二名价格处人员确认",
                 "officer2 · officer · hospital")
