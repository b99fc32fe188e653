"""The national result in execution in province A (from 2024-03-01), a second price officer,
and a non-selected listed product of one of its generics: what the payment-standard tests and
the monitoring tests start from."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from accounts.roles import Role
from listing.services import decide_listing, submit_listing
from paystd import services
from paystd.rules import StandardRules
from tests.cycles.story import officer, put_into_effect, second_price_officer
from tests.listing.conftest import product_input
from tests.results.fixtures import national_world

LISTED_AT = datetime(2024, 2, 20, 2, 0, tzinfo=UTC)
NON_SELECTED = "XL02BBA326A001010102180"


def executed(session, world):
    """Province A's national batch NAT9 in execution; (officer, second officer)."""
    national_world(session, world)
    put_into_effect(session, world)
    return officer(world), second_price_officer(session, world)


def list_non_selected(session, world, price: str = "30", code: str = NON_SELECTED, spec: str = "400mg",
                      pack: str = "1支/盒", at: datetime = LISTED_AT):
    """A-supplier lists a non-selected ibuprofen injection (布洛芬注射液 400mg), approved."""
    product = submit_listing(session, world.actors[("A", Role.SUPPLIER_REP)], product_input(
        code=code, generic_name="布洛芬注射液", dosage_form="注射剂", spec=spec, pack=pack, price=price,
        vbp_status="non_selected", vbp_batch_code="NAT9"), at)
    return decide_listing(session, world.actors[("A", Role.PRICE_OFFICER)], product.id, True, "", at)


def approved_standards(session, a, b, rules: StandardRules | None = None, at: datetime = LISTED_AT):
    """NAT9's standards derived by ``a`` and approved by ``b``."""
    from procurement.models import Batch

    assert session.exec(select(Batch).where(Batch.code == "NAT9")).first() is not None
    version = services.derive_standards(session, a, "NAT9", rules or StandardRules(), "第九批国家集采执行", at)
    return services.decide_version(session, b, version.id, True, "", at)
