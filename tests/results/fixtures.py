"""The national result of the demo (a few items of the 9th national batch, plausible figures)
and the world it needs: its catalog items, its winners registered as suppliers, a second
hospital in the second city, the batch put into effect in province A."""

from __future__ import annotations

import copy
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import select

from accounts import services as accounts
from accounts.roles import OrgKind, Role
from procurement.models import Item
from results import services as results

DATA = Path(__file__).resolve().parents[2] / "demo" / "data"
NATIONAL_JSON = DATA / "national-9th-result.json"
NATIONAL_XLSX = DATA / "national-9th-result.xlsx"
CREATED = datetime(2024, 1, 8, 2, 0, tzinfo=UTC)
DEADLINE = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
SUPPLIERS = {"S0001": "齐鲁制药股份有限公司", "S0002": "华海制药股份有限公司", "S0003": "石药制药股份有限公司",
             "S0004": "扬子江制药股份有限公司", "S0005": "正大天晴制药股份有限公司", "S0006": "京新制药股份有限公司",
             "S0008": "恒瑞制药股份有限公司", "S0009": "科伦制药股份有限公司", "S0010": "海正制药股份有限公司"}
#: (code, generic name, dosage form, strength, unit, minimal unit, pack)
ITEMS = (("YP901", "舒更葡糖钠注射液", "注射剂", "200", "mg", "支", 1),
         ("YP902", "布洛芬注射液", "注射剂", "400", "mg", "支", 1),
         ("YP903", "左乙拉西坦注射用浓溶液", "注射剂", "500", "mg", "支", 1))


@dataclass
class National:
    """Province A ready to put the national result into effect."""

    suppliers: dict[str, object]
    hospital2: object  # A-hospital-2 in city 370200 (the city with its own primary for YP901)


def national_document() -> dict:
    """The national result in its JSON form (a fresh copy to change)."""
    return copy.deepcopy(json.loads(NATIONAL_JSON.read_text(encoding="utf-8")))


def as_json(document: dict) -> bytes:
    """A document as the bytes of a JSON file."""
    return json.dumps(document, ensure_ascii=False).encode()


def national_world(session, world) -> National:
    """The catalog items and suppliers the national result names, and a second hospital."""
    for code, name, form, strength, unit, minimal, pack in ITEMS:
        if session.exec(select(Item).where(Item.code == code)).first() is None:
            session.add(Item(code=code, kind="drug", generic_name=name, dosage_form=form, rep_strength=Decimal(strength),
                             strength_unit=unit, minimal_unit=minimal, rep_units_per_pack=pack))
    session.commit()
    suppliers = {code: accounts.create_organisation(session, None, code=code, name=name, kind=OrgKind.SUPPLIER,
                                                    region_code="370200", bank_cnaps="102100099996",
                                                    bank_account=f"62220000{code[1:]}1111")
                 for code, name in SUPPLIERS.items()}
    hospital2 = accounts.create_organisation(session, None, code="A-hospital-2", name="A 第二医院", kind=OrgKind.HOSPITAL,
                                             region_code="370200")
    return National(suppliers, hospital2)


def load_national(session, world, code: str = "NAT9", data: bytes | None = None, filename: str = "national.json",
                  now: datetime = CREATED):
    """Create the executed-result batch from the national file (answers the service's outcome)."""
    officer = world.actors[("A", Role.PRICE_OFFICER)]
    return results.create_result_batch(session, officer, code=code, name="第九批国家组织药品集采（山东落地）", kind="drug",
                                       demand_deadline=DEADLINE, data=data if data is not None else
                                       NATIONAL_JSON.read_bytes(), filename=filename, now=now)


def bulk_demand(rows) -> bytes:
    """A bureau-side demand workbook (hospital code, item, last year, committed)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "报量"
    ws.append(["医院编码", "品种编码", "上年用量", "承诺年采购量"])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
