"""Demand test helpers: a batch collecting demand in province A, and tiny workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from openpyxl import Workbook
from sqlmodel import select

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from procurement import services
from procurement.models import Item

DEADLINE = datetime(2099, 1, 10, 9, 0, tzinfo=UTC)
BEFORE = datetime(2098, 12, 1, 8, 0, tzinfo=UTC)
AFTER = datetime(2099, 1, 10, 9, 0, tzinfo=UTC)
HEADER = ["品种编码", "上年用量", "承诺年采购量", "意向品牌", "原因"]


@dataclass
class DemandSetup:
    """The batch ``DB1`` (items YP101, YP102; regions 370100 and 370200) and its hospitals."""

    code: str
    hospitals: dict[str, object]  # "A" = A-hospital (370100), "A2" (370200), "A3" (370100)


def sheet(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    """A one-sheet demand workbook: the header then ``rows``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报量"
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = sheet([["YP101", 1000, 900, None, None], ["YP102", 200, 100, None, "改用其他剂型"]])


def make_demand_batch(session, world, code: str = "DB1") -> DemandSetup:
    """Build and open the batch through the real services."""
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    for item, name in (("YP101", "阿托伐他汀钙片"), ("YP102", "苯磺酸氨氯地平片")):
        if session.exec(select(Item).where(Item.code == item)).first() is None:
            session.add(Item(code=item, kind="drug", generic_name=name, minimal_unit="片"))
    session.commit()
    timeline = services.Timeline(DEADLINE, datetime(2099, 2, 10, tzinfo=UTC), datetime(2099, 2, 11, tzinfo=UTC),
                                 date(2099, 4, 1), date(2100, 3, 31))
    services.create_batch(session, officer, code=code, name="报量测试批次", timeline=timeline)
    services.add_batch_item(session, officer, code, "YP101", 3000)
    services.add_batch_item(session, officer, code, "YP102", 2000)
    services.set_batch_regions(session, officer, code, ["370100", "370200"])
    services.transition_batch(session, officer, code, "open_demand")
    hospitals = {"A": world.orgs[("A", OrgKind.HOSPITAL)]}
    for key, region in (("A2", "370200"), ("A3", "370100")):
        hospitals[key] = accounts.create_organisation(session, None, code=f"{key}-hospital", name=f"{key} 医院",
                                                      kind=OrgKind.HOSPITAL, region_code=region)
    return DemandSetup(code, hospitals)
