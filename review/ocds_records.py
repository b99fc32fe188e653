"""The input records of the OCDS release package (``review.ocds``), checked on creation.

Plain frozen dataclasses: money as ``int`` fen and 1/10000 yuan (never a float), datetimes
timezone-aware, and a batch whose codes and cross-references agree.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from core.money import line_amount_fen

CONTRACT_STATUSES = ("pending", "active")


class _Checked:
    """Base of the input records: ``int`` fields must be plain ints (no float, bool or
    Decimal: money is never a float) and ``datetime`` fields timezone-aware."""

    def __post_init__(self) -> None:
        """Check every field by its declared type."""
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is None:
                continue
            if f.type in ("int", "int | None") and type(value) is not int:
                raise TypeError(f"{type(self).__name__}.{f.name} must be an int, got {type(value).__name__}")
            if f.type in ("datetime", "datetime | None") and value.tzinfo is None:
                raise ValueError(f"{type(self).__name__}.{f.name} must be timezone-aware")


@dataclass(frozen=True)
class OcdsOrg:
    """An organisation, published as a party."""

    code: str  # platform organisation code: party id and identifier id (scheme X-JICAI)
    name: str  # legal name, kept as written (Chinese)


@dataclass(frozen=True)
class OcdsItem(_Checked):
    """A batch item (品种), one tender item."""

    code: str  # batch item code: the OCDS item id
    name: str  # generic name + dosage form, e.g. 阿托伐他汀钙片
    specification: str  # representative specification (代表规格), e.g. 20mg×7片
    unit_name: str  # minimal unit (片/支/个): the unit of every quantity and unit price
    demand_quantity: int  # consolidated reported demand (报量), minimal units
    nhsa_code: str = ""  # NHSA medical-insurance code for the classification ("" → code)
    max_price_e4: int | None = None  # maximum valid unit price (最高有效申报价), 1/10000 yuan
    no_award_reason: str = "无中选企业 / no winning bid"  # published if the item has no winner


@dataclass(frozen=True)
class OcdsBidStat(_Checked):
    """Bid statistics of one item at the opening (counts only: no bidder identities)."""

    item_code: str  # the item
    bids: int  # bids received
    valid_bids: int  # bids at or under the maximum valid price
    lowest_price_e4: int | None  # lowest valid unit comparable price, 1/10000 yuan (None: no valid bid)
    highest_price_e4: int | None  # highest valid unit comparable price, 1/10000 yuan


@dataclass(frozen=True)
class OcdsAward(_Checked):
    """One item × winning supplier (中选)."""

    award_id: str  # unique within the batch; contracts refer to it
    item_code: str  # the item won
    supplier: OcdsOrg  # the winner
    unit_price_e4: int  # its unit comparable price, 1/10000 yuan per minimal unit
    volume: int  # agreed volume, minimal units (= Σ its contracts' quantities)
    value_fen: int  # fen (= Σ its contracts' values)
    regions: tuple[str, ...]  # GB/T 2260 codes of the regions it supplies as primary
    period_start: date  # contract period, first day (Asia/Shanghai)
    period_end: date  # contract period, last day


@dataclass(frozen=True)
class OcdsContract(_Checked):
    """One contract per hospital × item (采购协议)."""

    code: str  # contract code: the OCDS contract id
    award_id: str  # the award it executes
    hospital: OcdsOrg  # the hospital that buys
    supplier: OcdsOrg  # the award's supplier
    item_code: str  # the award's item
    quantity: int  # agreed volume: ratio × the hospital's demand, rounded half up
    unit_price_e4: int  # the award's unit price, 1/10000 yuan
    value_fen: int  # quantity × unit price, rounded half up to the fen
    period_start: date  # first day (Asia/Shanghai)
    period_end: date  # last day
    status: str = "pending"  # "pending" (not signed by both) or "active" (signed)
    date_signed: datetime | None = None  # when the last party signed (aware); set iff active
    period_rule: str = ""  # which part of the contract-period rule set the end (winners | fixed_end | cycle_end)
    years: tuple[tuple[int, date, date, int], ...] = ()  # (year, first day, last day, agreed volume)

    def __post_init__(self) -> None:
        """Check types, status, signature date and the exact value."""
        super().__post_init__()
        if self.status not in CONTRACT_STATUSES:
            raise ValueError(f"contract {self.code}: status must be one of {CONTRACT_STATUSES}")
        if (self.status == "active") != (self.date_signed is not None):
            raise ValueError(f"contract {self.code}: active if and only if signed")
        if self.value_fen != line_amount_fen(self.quantity, self.unit_price_e4):
            raise ValueError(f"contract {self.code}: value is not quantity × unit price")


@dataclass(frozen=True)
class OcdsBatch(_Checked):
    """A published batch: the whole input of ``build_release_package``."""

    code: str  # batch code: the ocid suffix and tender id
    name: str  # batch title
    bureau: OcdsOrg  # the 医保局: buyer and procuring entity
    region_code: str  # the bureau's GB/T 2260 region (its party address region)
    published_at: datetime  # final publication (中选结果), aware
    tender_start: datetime  # bid window opens (an executed result: when it was loaded), aware
    tender_end: datetime | None  # bid window closes, aware (None: an executed result, no bidding)
    opening_at: datetime | None  # bid opening (开标), aware (None: an executed result)
    items: tuple[OcdsItem, ...]  # every batch item, won or not
    bids: tuple[OcdsBidStat, ...] = ()  # per-item statistics
    awards: tuple[OcdsAward, ...] = ()  # per item × winner
    contracts: tuple[OcdsContract, ...] = ()  # per hospital × item
    fund: OcdsOrg | None = None  # the insurance fund that pays suppliers (party role payer)
    number_of_tenderers: int | None = None  # distinct suppliers that bid (None: undisclosed)
    currency: str = "CNY"  # ISO 4217
    executed_result: str = ""  # a published result put into effect: its source and document ("" if tendered)

    def __post_init__(self) -> None:
        """Check types, unique codes, every cross-reference, and awards against contracts."""
        super().__post_init__()
        unsuccessful = [f"{self.code}-{i.code}-unsuccessful" for i in self.items]  # ids the builder adds
        for kind, codes in (("item", [i.code for i in self.items]), ("contract", [c.code for c in self.contracts]),
                            ("award", [a.award_id for a in self.awards] + unsuccessful)):
            if len(set(codes)) != len(codes):
                raise ValueError(f"duplicate {kind} codes")
        items, awards = {i.code for i in self.items}, {a.award_id: a for a in self.awards}
        for ref in [b.item_code for b in self.bids] + [a.item_code for a in self.awards]:
            if ref not in items:
                raise ValueError(f"unknown item {ref}")
        totals: dict[str, tuple[int, int]] = {}
        for c in self.contracts:
            a = awards.get(c.award_id)
            if a is None or (a.item_code, a.supplier, a.unit_price_e4) != (c.item_code, c.supplier, c.unit_price_e4):
                raise ValueError(f"contract {c.code} does not match its award {c.award_id}")
            quantity, value = totals.get(a.award_id, (0, 0))
            totals[a.award_id] = (quantity + c.quantity, value + c.value_fen)
        for award_id, total in totals.items():
            if total != (awards[award_id].volume, awards[award_id].value_fen):
                raise ValueError(f"award {award_id}: volume/value differ from its contracts")
