"""Distribution relations: a supplier names a distributor per region, the distributor confirms or refuses."""

from __future__ import annotations

import pytest
from sqlmodel import select

from accounts.actor import Forbidden
from accounts.roles import OrgKind, Role
from listing.distribution import decide_relation, name_distributor, relation_of
from listing.lists import relation_page
from listing.models import DistributionRelation
from listing.services import ListingRefused
from notices.models import Notification
from tests.conftest import aware, csrf_token, login

NOW = aware(2026, 12, 1, 2)


def _named(session, world, region="370100"):
    return name_distributor(session, world.actors[("A", Role.SUPPLIER_REP)], "A-distributor", region, NOW)


def test_the_supplier_names_and_the_distributor_confirms(session, world):
    relation = _named(session, world)
    assert relation.status == "pending"
    note = session.exec(select(Notification)).one()
    assert note.org_id == world.orgs[("A", OrgKind.DISTRIBUTOR)].id
    decide_relation(session, world.actors[("A", Role.DISTRIBUTOR_REP)], relation.id, True, "", NOW)
    assert relation.status == "confirmed"
    hospital = world.actors[("A", Role.HOSPITAL_BUYER)]  # in 370100: the relation delivers to it
    assert relation_of(session, hospital, relation.id) is not None
    assert relation_of(session, world.actors[("B", Role.HOSPITAL_BUYER)], relation.id) is None


def test_refusal_needs_a_reason_and_a_decision_is_final(session, world):
    relation = _named(session, world)
    distributor = world.actors[("A", Role.DISTRIBUTOR_REP)]
    with pytest.raises(ListingRefused, match="say why"):
        decide_relation(session, distributor, relation.id, False, "", NOW)
    decide_relation(session, distributor, relation.id, False, "不覆盖该地区", NOW)
    with pytest.raises(ListingRefused, match="already decided"):
        decide_relation(session, distributor, relation.id, True, "", NOW)
    assert relation_of(session, world.actors[("A", Role.HOSPITAL_BUYER)], relation.id) is None  # refused: not for orders
    assert _named(session, world).status == "pending"  # may be named again after a refusal


@pytest.mark.parametrize(("code", "region", "why"), [
    ("NOPE", "370100", "no such distributor"), ("A-hospital", "370100", "no such distributor"),
    ("A-distributor", "999999", "no such region")])
def test_bad_namings_are_refused(session, world, code, region, why):
    with pytest.raises(ListingRefused, match=why):
        name_distributor(session, world.actors[("A", Role.SUPPLIER_REP)], code, region, NOW)
    assert session.exec(select(DistributionRelation)).all() == []


def test_a_live_relation_is_named_once_and_only_its_distributor_decides(session, world):
    relation = _named(session, world)
    with pytest.raises(ListingRefused, match="already named"):
        _named(session, world)
    with pytest.raises(ListingRefused, match="no such"):
        decide_relation(session, world.actors[("B", Role.DISTRIBUTOR_REP)], relation.id, True, "", NOW)
    with pytest.raises(Forbidden):
        decide_relation(session, world.actors[("A", Role.SUPPLIER_REP)], relation.id, True, "", NOW)
    with pytest.raises(Forbidden):
        name_distributor(session, world.actors[("A", Role.HOSPITAL_BUYER)], "A-distributor", "370100", NOW)


def test_each_side_sees_its_relations(session, world):
    relation = _named(session, world)
    for side, role, seen in [("A", Role.SUPPLIER_REP, 1), ("A", Role.DISTRIBUTOR_REP, 1), ("A", Role.PRICE_OFFICER, 1),
                             ("B", Role.SUPPLIER_REP, 0), ("B", Role.DISTRIBUTOR_REP, 0), ("B", Role.PRICE_OFFICER, 0)]:
        page = relation_page(session, world.actors[(side, role)])
        assert page.total == seen, (side, role)
    assert relation_page(session, world.actors[("A", Role.SUPPLIER_REP)]).rows[0][0].id == relation.id


def test_through_the_pages(client, session, world):
    session.commit()
    login(client, world.username("A", Role.SUPPLIER_REP))
    token = csrf_token(client, "/listing/distribution")
    assert client.post("/listing/distribution", data={"csrf_token": token, "distributor": "A-distributor",
                                                      "region": "370100"}).status_code == 302
    relation_id = session.exec(select(DistributionRelation.id)).one()
    session.commit()
    assert "relation-confirm" not in client.get("/listing/distribution").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world.username("A", Role.DISTRIBUTOR_REP))
    page = client.get("/listing/distribution").get_data(as_text=True)
    assert 'data-testid="relation-confirm"' in page and "relation-name" not in page
    token = csrf_token(client, "/listing/distribution")
    client.post(f"/listing/distribution/{relation_id}/confirm", data={"csrf_token": token})
    assert 'data-status="confirmed"' in client.get("/listing/distribution").get_data(as_text=True)
    assert client.post(f"/listing/distribution/{relation_id}/confirm", data={"csrf_token": token}).status_code == 302
    assert client.post("/listing/distribution/999999/confirm", data={"csrf_token": token}).status_code == 404
