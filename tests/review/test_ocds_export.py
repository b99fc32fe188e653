"""The OCDS export from the database: awards come from the published result (a winner without
contracts included), contracts from the contracts; the ocid prefix is the deployment's setting;
items carry no classification a platform-local code cannot honestly claim."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from accounts.roles import Role
from bidding import services as bidding
from bidding.pricing import Eligibility
from evaluation import services as evaluation
from procurement import services as procurement
from procurement.demand.services import submit_demand
from procurement.models import Batch
from procurement.rules import parse_rules
from review import services
from review.ocds import build_release_package
from review.ocds_export import ocds_package
from review.ocds_json import to_json_text
from tests.conftest import login
from tests.evaluation.fixtures import OPENING
from tests.procurement.demand_fixtures import AFTER, BEFORE, make_demand_batch, sheet
from tests.review.test_ocds import _batch, codelist_errors, schema_errors
from tests.review.test_services import T


def _published_with_an_idle_region(db, session, world, ring, reviewer) -> str:
    """Two winners of YP101 (two allowed for two bidders): B supplies 370100, A 370200, where no
    hospital reported YP101 — A's agreed volume is 0 and it gets no contract."""
    setup = make_demand_batch(session, world)
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    batch = session.exec(select(Batch).where(Batch.code == setup.code)).one()
    rules = json.loads(batch.rules_json)
    rules["max_winners"] = {"table": {"2": 2}, "cap": 10}
    batch.rules_json = parse_rules(rules).to_json()  # the bureau's rule: two bidders, two winners
    session.add(batch)
    session.commit()
    submit_demand(session, officer, setup.code, "A-hospital",
                  sheet([["YP101", 1000, 1000, None, None], ["YP102", 10, 10, None, None]]), "a.xlsx", BEFORE)
    submit_demand(session, officer, setup.code, "A2-hospital", sheet([["YP102", 10, 10, None, None]]), "b.xlsx",
                  BEFORE)
    procurement.transition_batch(session, officer, setup.code, "close_demand", now=AFTER)
    for side, price in (("A", 1400), ("B", 1300)):
        bidding.submit_bid(session, world.actors[(side, Role.SUPPLIER_REP)], setup.code,
                           bidding.BidInput("YP101", Decimal(1), "", 1, price, 10_000, Eligibility.CONSISTENCY_GENERIC),
                           ring, AFTER + timedelta(days=1))
    bidding.open_bids(session, None, setup.code, ring, OPENING)
    run = evaluation.request_evaluation(session, officer, setup.code, T).value
    session.close()
    evaluation.claim_and_run(db, run.id, officer)
    with db.write_session() as s:
        services.submit_for_review(s, officer, setup.code, 1, T)
        services.decide(s, reviewer, setup.code, True, "", T)
        contracts = services.end_publicity(s, officer, setup.code, T + timedelta(days=10)).value
    assert {c.supplier_org_id for c in contracts} == {world.orgs[("B", "supplier")].id}
    return setup.code


def test_a_published_winner_without_contracts_keeps_its_award(db, session, world, ring, second_officer):
    code = _published_with_an_idle_region(db, session, world, ring, second_officer)
    with db.read_session() as s:
        batch = s.exec(select(Batch).where(Batch.code == code)).one()
        text = to_json_text(ocds_package(s, batch, publisher_name="jicai", uri="https://jicai.example.cn/ocds.json"))
    assert schema_errors(text) == [] and codelist_errors(text) == []
    award, contract = (next(r for r in json.loads(text)["releases"] if key in r["tag"]) for key in ("award", "contract"))
    active = {a["id"]: a for a in award["awards"] if a["status"] == "active"}
    assert set(active) == {"YP101-A-supplier", "YP101-B-supplier"}
    idle = active["YP101-A-supplier"]
    assert idle["x_regions"] == ["370200"] and idle["value"]["amount"] == 0 and idle["items"][0]["quantity"] == 0
    assert active["YP101-B-supplier"]["x_regions"] == ["370100"]
    assert {c["awardID"] for c in contract["contracts"]} == {"YP101-B-supplier"}
    assert "A-supplier" in {p["id"] for p in award["parties"]}  # the winner is a party (supplier)


def test_the_ocid_prefix_is_the_deployment_setting(app, client, db, session, world, ring, second_officer):
    code = _published_with_an_idle_region(db, session, world, ring, second_officer)
    app.extensions["jicai.settings"] = replace(app.extensions["jicai.settings"], ocid_prefix="ocds-a1b2c3")
    login(client, world.username("A", Role.PRICE_OFFICER))
    package = json.loads(client.get(f"/batches/{code}/ocds.json").get_data(as_text=True))
    assert {r["ocid"] for r in package["releases"]} == {f"ocds-a1b2c3-{code}"}
    from core.config import load_settings

    env = {"JICAI_OCID_PREFIX": "ocds-a1b2c3", "JICAI_SECRET_KEY": "k", "JICAI_INSTANCE_PATH": str(app.instance_path)}
    assert load_settings(env).ocid_prefix == "ocds-a1b2c3"


def test_a_bad_prefix_is_refused():
    for bad in ("", "ocds", "OCDS-abc123", "ocds-abc/../x", "x-abc123"):
        with pytest.raises(ValueError, match="OCID"):
            build_release_package(_batch(), publisher_name="p", uri="https://e.cn/p.json", ocid_prefix=bad)


def test_only_a_real_scheme_classifies_an_item():
    data = json.loads(to_json_text(build_release_package(_batch(), publisher_name="p", uri="https://e.cn/p.json")))
    items = {i["id"]: i for r in data["releases"] for i in r.get("tender", {}).get("items", [])}
    assert items["A01"]["classification"] == {"scheme": "x_NHSA", "id": "XC10AAA052A001",
                                              "description": "阿托伐他汀钙片"}
    assert "classification" not in items["B02"]  # a platform-local code claims no scheme
