"""Batch and catalog services: items, prices, regions, scoping of reads."""

import pytest
from sqlmodel import select

from accounts.roles import Role
from core.clock import utcnow
from procurement import queries, services
from procurement.models import Batch, Item


def test_batch_items_and_regions(session, world):
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    session.add(Item(code="YP009", kind="drug", generic_name="阿莫西林胶囊", minimal_unit="粒"))
    session.commit()
    services.create_batch(session, officer, code="B2", name="批次二")
    services.add_batch_item(session, officer, "B2", "YP009", 1000, 3500)
    with pytest.raises(services.BatchError, match="已在批次中"):
        services.add_batch_item(session, officer, "B2", "YP009", 1000)
    with pytest.raises(services.BatchError, match="须大于 0"):
        services.add_batch_item(session, officer, "B2", "YP009", 0)
    with pytest.raises(services.BatchError, match="不在本批次范围内"):
        services.set_batch_regions(session, officer, "B2", ["320100"])
    assert services.set_batch_regions(session, officer, "B2", ["370100", "370200", "370100"]) == 2
    services.remove_batch_item(session, officer, "B2", "YP009")
    view = queries.batch_view(session, officer, "B2", utcnow())
    assert view.items == [] and [r.code for r in view.regions] == ["370100", "370200"]
    services.add_batch_item(session, officer, "B2", "YP009", 1200)
    assert queries.batch_view(session, officer, "B2", utcnow()).items[0][0].max_valid_price_e4 == 1200


def test_batches_are_visible_within_reach(session, world):
    services.create_batch(session, world.actors[("A", Role.PRICE_OFFICER)], code="SD1", name="山东")
    services.create_batch(session, world.actors[("B", Role.PRICE_OFFICER)], code="JS1", name="江苏")
    seen = lambda side, role: [b.code for b in queries.list_batches(session, world.actors[(side, role)])]  # noqa: E731
    assert seen("A", Role.HOSPITAL_BUYER) == ["SD1"]
    assert seen("B", Role.SUPPLIER_REP) == []  # drafts are not announced
    assert seen("A", Role.ADMIN) == ["SD1"]
    assert queries.find_batch(session, world.actors[("A", Role.HOSPITAL_BUYER)], "JS1") is None
    session.exec(select(Batch).where(Batch.code == "JS1")).one().status = "bidding"
    session.commit()
    assert seen("A", Role.SUPPLIER_REP) == ["JS1"]  # anyone may bid on an announced batch
    assert seen("A", Role.HOSPITAL_BUYER) == ["SD1"]
