"""From demand and opened bids to a versioned evaluation, at the service level and on the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.roles import OrgKind, Role
from evaluation import queries, services
from evaluation.instance import build_instance, optimizer_rules
from evaluation.models import Evaluation
from procurement.models import Batch
from procurement.rules import BatchRules, parse_rules
from tests.conftest import csrf_token, login
from tests.evaluation.fixtures import OPENING
from tests.evaluation.fixtures import opened_batch as _opened_batch


def test_batch_rules_map_onto_the_optimizer_contract():
    rules = optimizer_rules(parse_rules({"max_winners": {"table": {"6": 3}, "cap": 10}, "backup": True}))
    assert rules.backup is True and rules.max_winners.table == ((6, 3),)
    assert optimizer_rules(BatchRules()).fuse_multiple == Decimal("1.8")
    graded = optimizer_rules(parse_rules({"gradient": {"2": ["0.6"], "3": ["0.6", "0.24"]}}))
    assert graded.gradient == ((2, (Decimal("0.6"),)), (3, (Decimal("0.6"), Decimal("0.24"))))


def test_instance_carries_regions_demand_and_opened_bids(session, world, ring):
    code = _opened_batch(session, world, ring)
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    instance = build_instance(session, world.actors[("A", Role.PRICE_OFFICER)], batch, parse_rules(batch.rules_json))
    yp101 = next(i for i in instance.items if i.code == "YP101")
    assert {(r.code, r.demand) for r in yp101.regions} == {("370100", 1000), ("370200", 3000)}
    assert sorted(b.ucp for b in yp101.bids) == [Decimal("0.1300"), Decimal("0.1400")]


def test_evaluation_runs_in_versions_and_records_clearing(db, session, world, ring):
    code = _opened_batch(session, world, ring)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    run = services.request_evaluation(session, officer, code, OPENING).value
    assert session.exec(select(Batch).where(Batch.code == code)).one().status == "evaluation"
    with pytest.raises(services.EvaluationError, match="仍在进行"):
        services.request_evaluation(session, officer, code, OPENING)
    session.close()
    done = services.claim_and_run(db, run.id, officer)
    assert done.status == "done" and done.items_done == done.items_total == 2
    assert services.claim_and_run(db, run.id, officer) is None  # never run twice
    with db.read_session() as s:
        batch, view = queries.run_view(s, officer, code, 1)
    result = dict((i.item_code, r) for i, r in view.items)["YP101"]
    # 2 valid bidders → max(N − 2, 1) = 1 winner: the lowest, B at ¥0.1300, gets 50% of 4,000 units
    assert [(w["supplier"], w["volume"], sorted(w["regions"])) for w in result["winners"]] == [
        ("B-supplier", 2000, ["370100", "370200"])]
    assert result["agreed_volume"] == 2000 and result["objective"] == "260.00"
    assert {o["supplier"]: o["reason"] for o in result["outcomes"]} == {"B-supplier": "won", "A-supplier": "winner_limit"}
    assert done.objective_fen == 26000 + 0  # YP102 has no bids: no cost
    with db.read_session() as s:
        record = queries.clearing_record(s, officer, code, 1, "YP101")
    assert record["snapshot"]["items"][0]["code"] == "YP101"
    # the LP text and the log are made when the record is asked for, by a re-run of the snapshot
    assert "capacity_B_supplier" in record["lp"] and "HiGHS" in record["solver_log"]
    assert record["replay"]["matches_result"] is True
    with db.write_session() as s:
        second = services.request_evaluation(s, officer, code, OPENING, note="重新评审").value
    assert second.version == 2
    # the same run in two worker processes: the same results, committed in item order
    pooled = services.claim_and_run(db, second.id, officer, workers=2)
    assert pooled.status == "done" and pooled.items_done == 2 and pooled.objective_fen == done.objective_fen
    with db.read_session() as s:
        _batch, view2 = queries.run_view(s, officer, code, 2)
    assert [i.item_code for i, _r in sorted(view2.items, key=lambda pair: pair[0].id)] == ["YP101", "YP102"]
    assert {i.item_code: r["objective"] for i, r in view2.items} == {i.item_code: r["objective"] for i, r in view.items}


def test_pages_run_in_the_background_and_show_results(app, client, db, session, world, ring):
    code = _opened_batch(session, world, ring)
    session.close()
    login(client, world.username("A", Role.PRICE_OFFICER))
    token = csrf_token(client, f"/batches/{code}/evaluations")
    assert 'name="seen_version" value="0"' in client.get(f"/batches/{code}/evaluations").get_data(as_text=True)
    response = client.post(f"/batches/{code}/evaluations", data={"csrf_token": token, "seen_version": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/evaluations/1")
    # the same page's button again (a double click): version 1 again, no second run
    again = client.post(f"/batches/{code}/evaluations", data={"csrf_token": token, "seen_version": "0"})
    assert again.status_code == 302 and again.headers["Location"].endswith("/evaluations/1")
    assert client.post(f"/batches/{code}/evaluations", data={"csrf_token": token}).status_code == 400
    for thread in app.extensions.get("jicai.threads", []):
        thread.join(60)
    assert len(app.extensions.get("jicai.threads", [])) == 1
    page = client.get(f"/batches/{code}/evaluations/1").get_data(as_text=True)
    assert 'data-testid="progress">2 / 2' in page and "YP101" in page
    clearing = client.get(f"/batches/{code}/evaluations/1/YP101/clearing.json")
    assert json.loads(clearing.data)["item"] == "YP101"
    with db.read_session() as s:
        assert s.exec(select(Evaluation)).one().status == "done"
    login(client, world.username("A", Role.SUPPLIER_REP))
    assert client.get(f"/batches/{code}/evaluations/1").status_code == 403


def test_cli_optimize_round_trip(app, tmp_path):
    instance = {"rules": {}, "items": [{"code": "X01", "max_valid_price": "0.5000",
                "regions": [{"code": "110000", "demand": 1000}, {"code": "120000", "demand": 500}],
                "bids": [{"supplier": "S01", "ucp": "0.1000", "capacity": 10000, "submitted_at": "2026-11-02T09:00:00+08:00"},
                         {"supplier": "S02", "ucp": "0.1500", "capacity": 10000, "submitted_at": "2026-11-02T09:00:00+08:00"},
                         {"supplier": "S03", "ucp": "0.4000", "capacity": 10000, "submitted_at": "2026-11-02T09:00:00+08:00"}]}]}
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    result = app.test_cli_runner().invoke(args=["optimize", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["items"][0]["code"] == "X01"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    failed = app.test_cli_runner().invoke(args=["optimize", str(bad)])
    assert failed.exit_code == 2


def test_hospital_level_allocation_pins_a_named_brand(db, session, world, ring):
    from procurement.demand.models import DemandLine
    from procurement.services import update_batch

    code = _opened_batch(session, world, ring)
    batch = session.exec(select(Batch).where(Batch.code == code)).one()
    batch.status = "draft"  # rules are edited in draft only: step back just for this test's setup
    session.commit()
    update_batch(session, world.actors[("A", Role.PRICE_OFFICER)], code,
                 rule_changes={"allocation_unit": "hospital", "max_winners": {"minus": 0, "cap": 10}})
    batch.status = "opened"
    line = session.exec(select(DemandLine).where(DemandLine.committed == 1000)).one()  # A-hospital's YP101
    line.preferred_supplier_id = world.orgs[("A", OrgKind.SUPPLIER)].id  # names the dearer brand
    session.commit()
    instance = build_instance(session, world.actors[("A", Role.PRICE_OFFICER)], batch, parse_rules(batch.rules_json))
    yp101 = next(i for i in instance.items if i.code == "YP101")
    assert {(r.code, r.demand, r.pinned_supplier) for r in yp101.regions} == {
        ("A-hospital", 1000, "A-supplier"), ("A2-hospital", 3000, None)}
    run = services.request_evaluation(session, world.actors[("A", Role.PRICE_OFFICER)], code, OPENING).value
    session.close()
    services.claim_and_run(db, run.id, world.actors[("A", Role.PRICE_OFFICER)])
    with db.read_session() as s:
        _batch, view = queries.run_view(s, world.actors[("A", Role.PRICE_OFFICER)], code, 1)
    result = dict((i.item_code, r) for i, r in view.items)["YP101"]
    by_supplier = {w["supplier"]: w["regions"] for w in result["winners"]}
    assert by_supplier["A-supplier"] == ["A-hospital"]  # the named brand keeps its hospital
