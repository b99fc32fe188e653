"""Fixtures for the procurement tests (demand collection: the open batch ``DB1``)."""

import pytest

from tests.procurement.demand_fixtures import DemandSetup, make_demand_batch


@pytest.fixture
def demand(session, world) -> DemandSetup:
    """The open demand batch DB1 of province A (items YP101, YP102; regions 370100, 370200)."""
    return make_demand_batch(session, world)
