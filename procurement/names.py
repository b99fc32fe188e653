"""Names for codes: what a page shows instead of ``H3701000000`` or ``YP007``.

One read model for every list that would otherwise show codes: organisation names (hospitals,
suppliers) and region names by code, item titles (generic name, dosage form, strength) by item
code. Pages show the name first and the code as secondary text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from accounts.models import Organisation
from procurement.models import Item, Region


def strength_text(value: Decimal) -> str:
    """A strength as people write it: ``20``, ``1.5``, ``150`` (never ``2E+1``)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def item_title(item: Item) -> str:
    """Generic name, dosage form and representative strength: ``阿托伐他汀钙片 片剂 20mg``."""
    parts = [item.generic_name, item.dosage_form or ""]
    if item.rep_strength is not None:
        parts.append(strength_text(item.rep_strength) + (item.strength_unit or ""))
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class NameBook:
    """Names by code; a code without a name is shown as itself."""

    orgs: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    items: dict[str, str] = field(default_factory=dict)

    def org(self, code: str) -> str:
        """An organisation's name (hospital, supplier, bureau)."""
        return self.orgs.get(code, code)

    def region(self, code: str) -> str:
        """A region's name."""
        return self.regions.get(code, code)

    def item(self, code: str) -> str:
        """An item's title."""
        return self.items.get(code, code)


def name_book(session: Session, *, orgs: Iterable[str] = (), items: Iterable[str] = (),
              regions: Iterable[str] = ()) -> NameBook:
    """The names of the given organisation, item and region codes (only those asked for)."""
    org_codes, item_codes, region_codes = set(orgs), set(items), set(regions)
    return NameBook(
        {c: n for c, n in session.exec(select(Organisation.code, Organisation.name)
                                       .where(Organisation.code.in_(org_codes))).all()} if org_codes else {},
        {c: n for c, n in session.exec(select(Region.code, Region.name)
                                       .where(Region.code.in_(region_codes))).all()} if region_codes else {},
        {i.code: item_title(i) for i in session.exec(select(Item).where(Item.code.in_(item_codes))).all()}
        if item_codes else {})
