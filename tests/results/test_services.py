"""Loading, correcting and publishing a published result: the checks that need the database
(catalog, registered suppliers, regions, live contracts) name their row and column and write
nothing; versions keep who and why; the lifecycle has no bidding or evaluation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from accounts.actor import Forbidden
from accounts.models import Organisation
from accounts.roles import Role
from core.audit import AuditEntry
from jobs.steps import run_due_steps
from procurement import services as procurement
from procurement.models import Batch, BatchItem, BatchRegion
from results import services as results
from results.models import ResultSupply, ResultVersion, ResultWinner
from review import services as review
from review.models import Contract, Publicity
from tests.cycles.story import CODE, REPORTED, acting, officer, report_and_publish
from tests.results.fixtures import (
    CREATED,
    DEADLINE,
    as_json,
    bulk_demand,
    load_national,
    national_document,
    national_world,
)


@pytest.fixture
def national(session, world):
    """Province A with the national result's items, suppliers and a second hospital."""
    return national_world(session, world)


def _rows(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _refused(session, world, document):
    outcome = load_national(session, world, code="BAD", data=as_json(document))
    assert not outcome.accepted
    assert _rows(session, Batch) == 0 and _rows(session, ResultVersion) == 0  # nothing written
    return {(e.column, e.code): e for e in outcome.errors}


def test_loading_the_national_result_writes_the_batch_its_version_and_allocation(session, world, national):
    outcome = load_national(session, world)
    assert (outcome.accepted, outcome.version, outcome.items, outcome.winners) == (True, 1, 3, 9)
    batch = session.exec(select(Batch).where(Batch.code == CODE)).one()
    assert (batch.procedure, batch.status, str(batch.cycle_start), str(batch.cycle_end)) == (
        "result", "draft", "2024-03-01", "2027-02-28")
    assert (batch.bid_deadline, batch.opening_at) == (None, None)
    assert {bi.max_valid_price_e4 for bi in session.exec(select(BatchItem)).all()} == {None}
    assert sorted(session.exec(select(BatchRegion.region_code)).all()) == ["370100", "370200"]
    version = session.exec(select(ResultVersion)).one()
    assert (version.source, version.document_no, version.file_format, len(version.sha256)) == (
        "national", "GY-YD2023-2", "json", 64)
    supply = session.exec(select(ResultSupply)).all()
    assert len(supply) == 6 and sum(s.by_rule for s in supply) == 5  # Qingdao's YP901 is named for the city
    assert _rows(session, ResultWinner) == 9
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "result.load")).one()


def test_unknown_item_unregistered_supplier_and_foreign_region_are_named_and_nothing_is_written(session, world,
                                                                                                national):
    doc = national_document()
    doc["items"][2]["item_code"] = doc["winners"][7]["item_code"] = doc["winners"][8]["item_code"] = "YP999"
    doc["supply"][3]["item_code"] = "YP999"
    doc["winners"][0]["supplier_code"] = doc["supply"][0]["primary"] = doc["supply"][1]["backup"] = "S7777"
    doc["supply"][1]["region_code"] = "320100"  # a city of province B
    errors = _refused(session, world, doc)
    assert ("items[2].item_code", "unknown_item") in errors
    assert ("winners[0].supplier_code", "unknown_supplier") in errors
    assert ("supply[1].region_code", "foreign_region") in errors
    assert errors[("winners[0].supplier_code", "unknown_supplier")].row == 1


def test_a_cycle_overlapping_live_contracts_of_the_same_items_in_the_region_is_refused(session, world, national):
    assert load_national(session, world).accepted
    report_and_publish(session, world)
    doc = national_document()
    doc["cycle_start"] = "2026-01-01"  # YP902 and YP903 run to 2026-02-28, YP901 to 2027-02-28
    outcome = load_national(session, world, code="BAD2", data=as_json(doc))
    assert not outcome.accepted
    overlaps = {e.value: e for e in outcome.errors if e.code == "overlap"}
    assert set(overlaps) == {"YP901", "YP902", "YP903"} and "NAT9" in overlaps["YP902"].reason_en
    assert (overlaps["YP902"].column, overlaps["YP902"].row) == ("items[1].item_code", 2)
    assert session.exec(select(func.count()).select_from(Batch)).one() == 1
    doc["cycle_start"] = "2027-03-01"  # after every live contract: accepted
    doc["items"] = doc["items"][:1]
    doc["winners"] = [w for w in doc["winners"] if w["item_code"] == "YP901"]
    doc["supply"] = [s for s in doc["supply"] if s["item_code"] == "YP901"]
    assert load_national(session, world, code="NEXT", data=as_json(doc)).accepted


def test_a_correction_is_a_new_version_with_who_and_why_and_prices_are_never_edited(session, world, national):
    assert load_national(session, world).accepted
    a = officer(world)
    doc = national_document()
    doc["winners"][4]["pack_price"], doc["winners"][4]["ucp"] = "24.00", "4.8000"
    with pytest.raises(results.ResultRefused, match="reason"):
        results.correct_result(session, a, CODE, as_json(doc), "v2.json", " ", CREATED)
    fixed = results.correct_result(session, a, CODE, as_json(doc), "v2.json", "国家联采办更正公告", CREATED + timedelta(hours=1))
    assert (fixed.accepted, fixed.version) == (True, 2)
    assert results.correct_result(session, a, CODE, as_json(doc), "v2.json", "again", CREATED).repeated
    versions = session.exec(select(ResultVersion).order_by(ResultVersion.version)).all()
    assert [(v.version, v.reason, v.created_by) for v in versions] == [(1, "", a.user_id), (2, "国家联采办更正公告", a.user_id)]
    assert session.exec(select(ResultWinner.ucp_e4).where(ResultWinner.version_id == versions[0].id,
                                                          ResultWinner.pack_price_e4 == 242500)).one() == 48500
    with pytest.raises(procurement.BatchError, match="from its file"):
        procurement.add_batch_item(session, a, CODE, "YP901", 1000)
    with pytest.raises(procurement.BatchError, match="from its file"):
        procurement.set_batch_regions(session, a, CODE, ["370100"])
    procurement.transition_batch(session, a, CODE, "open_demand", now=CREATED + timedelta(hours=2))
    fewer = national_document()
    fewer["items"], fewer["winners"] = fewer["items"][:2], [w for w in fewer["winners"] if w["item_code"] != "YP903"]
    fewer["supply"] = [s for s in fewer["supply"] if s["item_code"] != "YP903"]
    refused = results.correct_result(session, a, CODE, as_json(fewer), "v3.json", "少一个品种", CREATED + timedelta(hours=3))
    assert not refused.accepted and {e.code for e in refused.errors} == {"scope_changed"}


def test_the_lifecycle_has_no_bidding_and_the_scheduler_starts_the_publicity_at_the_deadline(db, session, world,
                                                                                             national, ring):
    assert load_national(session, world).accepted
    a = officer(world)
    with pytest.raises(procurement.BatchError, match="不允许此操作|unknown action|未知操作"):
        procurement.transition_batch(session, a, CODE, "close_demand", now=CREATED)
    procurement.transition_batch(session, a, CODE, "open_demand", now=CREATED + timedelta(hours=1))
    from procurement.demand.services import submit_bulk_demand

    assert submit_bulk_demand(session, a, CODE, bulk_demand(REPORTED), "全国报量.xlsx", CREATED + timedelta(days=1)).accepted
    with pytest.raises(procurement.BatchError, match="截止时间未到"):
        results.start_allocation_publicity(session, a, CODE, DEADLINE - timedelta(hours=1))
    session.close()
    report = run_due_steps(db, ring, DEADLINE + timedelta(minutes=1))
    assert (report.done, report.failed) == ([f"start_publicity {CODE}"], [])
    session.expire_all()
    assert session.exec(select(Batch.status).where(Batch.code == CODE)).one() == "publicity"
    assert results.start_allocation_publicity(session, a, CODE, DEADLINE + timedelta(minutes=2)).repeated
    # a winner of the result may object; a supplier that is not one may not
    winner = acting(world, Role.SUPPLIER_REP, session.exec(select(Organisation).where(Organisation.code == "S0008")).one())
    objection = review.lodge_objection(session, winner, CODE, "青岛市应由我司主供", None, DEADLINE + timedelta(hours=1))
    with pytest.raises(review.ReviewError, match="winners"):
        review.lodge_objection(session, world.actors[("A", Role.SUPPLIER_REP)], CODE, "异议", None,
                               DEADLINE + timedelta(hours=1))
    with pytest.raises(review.ReviewError, match="未答复"):
        review.end_publicity(session, a, CODE, DEADLINE + timedelta(days=4))
    review.answer_objection(session, a, CODE, objection.id, "按国家分配结果执行。", DEADLINE + timedelta(days=1))
    session.close()
    assert run_due_steps(db, ring, DEADLINE + timedelta(days=4)).done == [f"publish {CODE}"]
    session.expire_all()
    contracts = session.exec(select(Contract).order_by(Contract.code)).all()
    assert len(contracts) == 5 and {c.result_version_id for c in contracts} != {None}
    assert session.exec(select(Publicity.published_at)).one() is not None


def test_only_price_officers_load_results(session, world, national):
    with pytest.raises(Forbidden):
        results.create_result_batch(session, world.actors[("A", Role.ADMIN)], code="X", name="x", kind="drug",
                                    demand_deadline=DEADLINE, data=as_json(national_document()), filename="r.json",
                                    now=CREATED)
