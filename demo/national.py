"""Demo: a national result put into effect in Shandong and run into its second contract year.

The file is ``demo/data/national-9th-result.json`` (a few items of the 9th national batch with
plausible figures), its cycle moved so that today falls late in contract year 2: the bureau
loaded it, the cities' hospitals reported, the local allocation went under publicity and was
published, both parties signed, deliveries were accepted in year 1 and 2, year 2's volumes were
re-confirmed (one hospital proposed more, with a reason), year 3's re-confirmation is open for
the hospitals to answer, and the two-year items are within their renewal window. Every step is
the real use case at its moved time.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from accounts import services as accounts
from accounts.models import Organisation
from accounts.roles import OrgKind
from cycles import years
from cycles.models import ContractYear
from demo.lifecycle import (
    Stage,
    _at,
    _contracts,
    _deliver_month,
    _hospitals,
    _month_start,
    _sign_all,
    _user,
    act_for,
)
from demo.pipeline import demand_workbook, officer
from procurement import services as procurement
from procurement.demand.services import submit_bulk_demand
from results import services as results
from review import services as review

DATA = Path(__file__).resolve().parent / "data" / "national-9th-result.json"
#: the catalog items of the national result: (code, generic name, form, strength, unit, minimal unit, pack)
ITEMS = (("YP901", "舒更葡糖钠注射液", "注射剂", "200", "mg", "支", 1),
         ("YP902", "布洛芬注射液", "注射剂", "400", "mg", "支", 1),
         ("YP903", "左乙拉西坦注射用浓溶液", "注射剂", "500", "mg", "支", 1))
STEMS = {"S0001": "齐鲁", "S0002": "华海", "S0003": "石药", "S0004": "扬子江", "S0005": "正大天晴", "S0006": "京新",
         "S0008": "恒瑞", "S0009": "科伦", "S0010": "海正"}


def _document(start: date) -> bytes:
    """The national result with its cycle starting on ``start`` (published four months before)."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    document["cycle_start"] = start.isoformat()
    document["document_date"] = _month_start(start, 4).isoformat()
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def _winners_registered(session: Session) -> None:
    """The result's winners as demo suppliers (a small demo seeds fewer suppliers)."""
    for n, (code, stem) in enumerate(sorted(STEMS.items())):
        if session.exec(select(Organisation).where(Organisation.code == code)).first() is None:
            accounts.create_organisation(session, None, code=code, name=f"{stem}制药股份有限公司", kind=OrgKind.SUPPLIER,
                                         region_code="370100", bank_name="中国银行", bank_cnaps="104451000010",
                                         bank_account=f"6216600100{n:08d}")


def national_batch(session: Session, cities: list[str], now) -> Stage:
    """The executed national result in contract year 2 (see the module docstring)."""
    today = now.date()
    start = _month_start(today, 23)  # today falls in the last month of contract year 2
    code = f"SD-{start.year}-GJ9"
    _winners_registered(session)
    actor = officer(session)
    created = _at(start) - timedelta(days=50)
    deadline = created + timedelta(days=20)
    loaded = results.create_result_batch(session, actor, code=code, name="第九批国家组织药品集采山东落地执行（演示）",
                                         kind="drug", demand_deadline=deadline, data=_document(start),
                                         filename="national-9th-result.json", now=created)
    assert loaded.accepted, loaded.errors[:3]
    procurement.transition_batch(session, actor, code, "open_demand", now=created + timedelta(hours=1))
    rows = []
    for n, hospital in enumerate(_hospitals(session, cities)):
        scale = 5 if (hospital.level or "").startswith("三级") else 1
        for k, (item, *_rest) in enumerate(ITEMS):
            if (n + k) % 4 != 3:  # not every hospital uses every item
                last = (200 + 37 * ((n * 7 + k * 3) % 11)) * scale
                rows.append((hospital.code, item, last, last))
    submit_bulk_demand(session, actor, code, demand_workbook(rows), "国家报量数据.xlsx", created + timedelta(days=2))
    results.start_allocation_publicity(session, None, code, deadline + timedelta(minutes=1))
    review.end_publicity(session, None, code, deadline + timedelta(days=4))
    _sign_all(session, code, deadline + timedelta(days=6))
    procurement.transition_batch(session, actor, code, "start_execution", now=_at(start, 1))
    for months in (2, 8):
        _deliver_month(session, code, _month_start(start, -months), returned=False)
    _reconfirm_year_two(session, code, start)
    for months in (14, 20):
        _deliver_month(session, code, _month_start(start, -months), returned=False)
    years.open_reconfirmation(session, actor, code, 3, now - timedelta(days=1))
    return Stage(code, "落地执行：国家第九批集采中选结果（上传结果文件，按地市分配主供、备供），第二个协议年度执行中；第二年约定量已确认，"
                       "第三年约定量待医院确认；两年期品种已可发起接续", "officer · hospital")


def _reconfirm_year_two(session: Session, code: str, start: date) -> None:
    """Year 2's volumes: opened a month before year 1 ends; the demo hospital asks for more on one
    item; the officer approves, the bureau's proposal standing for hospitals that did not answer."""
    actor = officer(session)
    opened = _at(_month_start(start, -11) + timedelta(days=5))
    years.open_reconfirmation(session, actor, code, 2, opened)
    hospital_user = _user(session, "hospital")
    own = [c for c in _contracts(session, code) if c.hospital_org_id == hospital_user.org_id]
    if own:
        hospital = act_for(hospital_user, session.get(Organisation, own[0].hospital_org_id))
        row = session.exec(select(ContractYear).where(ContractYear.contract_id == own[0].id, ContractYear.year_no == 2)).one()
        years.answer_year(session, hospital, row.id, row.proposed_volume + 120, "新院区开诊，预计用量增加",
                          opened + timedelta(days=3))
    years.approve_year(session, actor, code, 2, opened + timedelta(days=10), include_unanswered=True)
