"""Open Contracting Data Standard 1.1 release package of a published batch (pure).

One contracting process per batch, ``ocid = f"{prefix}-{batch.code}"``, published as three
releases, one per stage, because OCDS releases are immutable notices of what was known at a
date, and the stages of a batch happen at different dates:

* ``{ocid}-tender`` (tag ``tender``, dated the start of the bid window): the items with
  their consolidated reported demand, the bid window, the procuring entity;
* ``{ocid}-award`` (tags ``tenderUpdate`` + ``award``, dated publication): the tender
  closed (``complete``, ``numberOfTenderers``), per-item bid statistics, one ``active`` award
  per item × winner and one ``unsuccessful`` award per item without a winner;
* ``{ocid}-contract-{digest}`` (tag ``contract``, dated the latest signature or publication):
  one contract per hospital × item. Signatures arrive after publication, so this release's
  id carries a digest of its content: a re-export after a signature is a new release, while
  the tender and award releases keep their ids and bytes.

A single "compiled" release was not chosen: ``compiled`` belongs in records, and one release
rewritten on every signature would break release immutability.

Roles: the bureau is ``buyer`` and ``procuringEntity``, the fund (optional) ``payer``,
winners ``supplier`` + ``tenderer``, hospitals ``buyer`` of their own contracts.
Local fields (OCDS allows additional properties; all are prefixed ``x_``):
``tender.x_bidOpeningDate``, ``Item.x_specification``, ``Item.x_maxValidUnitPrice`` (Value),
``Award.x_regions`` (GB/T 2260 codes), ``Contract.x_buyer`` (the hospital's
OrganizationReference). Bid statistics use the shape of the OCDS bid extension
(``bids.statistics[]``: id, measure, value, date, notes) with measures ``bids``,
``validBids``, ``x_lowestValidUnitPrice``, ``x_highestValidUnitPrice`` and ``x_relatedItem``
(the tender item id; the batch uses no lots). Items are classified by ``x_NHSA`` (the
NHSA medical-insurance drug code); organisations are identified by ``X-JICAI`` (platform code).

Money: amounts come in as fen (``int``), unit prices as 1/10000 yuan (``*_e4`` ints, as in
``review.models.Contract.ucp_e4``); the package dict holds ``Decimal`` (2 places for amounts,
4 for unit prices) and ``to_json_text`` writes them as JSON numbers digit for digit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.money import fen_to_decimal, line_amount_fen, price_e4_to_decimal

OCDS_VERSION = "1.1"
ORG_SCHEME = "X-JICAI"
ITEM_SCHEME = "x_NHSA"
BID_EXTENSION = "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json"
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
    tender_start: datetime  # bid window opens, aware
    tender_end: datetime  # bid window closes, aware
    opening_at: datetime  # bid opening (开标), aware
    items: tuple[OcdsItem, ...]  # every batch item, won or not
    bids: tuple[OcdsBidStat, ...] = ()  # per-item statistics
    awards: tuple[OcdsAward, ...] = ()  # per item × winner
    contracts: tuple[OcdsContract, ...] = ()  # per hospital × item
    fund: OcdsOrg | None = None  # the insurance fund that pays suppliers (party role payer)
    number_of_tenderers: int | None = None  # distinct suppliers that bid (None: undisclosed)
    currency: str = "CNY"  # ISO 4217

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


def _ts(value: datetime) -> str:
    """An aware datetime as an OCDS date-time in UTC to the second (``…T03:04:05Z``)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _period(start: date, end: date) -> dict[str, str]:
    """A contract period of whole days in China Standard Time: 00:00:00 to 23:59:59 +08:00."""
    return {"startDate": f"{start.isoformat()}T00:00:00+08:00", "endDate": f"{end.isoformat()}T23:59:59+08:00"}


def _money(currency: str, *, fen: int = 0, e4: int | None = None) -> dict[str, Any]:
    """An OCDS Value: an amount in fen (2 places) or a unit price in 1/10000 yuan (4 places)."""
    return {"amount": price_e4_to_decimal(e4) if e4 is not None else fen_to_decimal(fen), "currency": currency}


def _ref(org: OcdsOrg) -> dict[str, str]:
    """An OrganizationReference to a party."""
    return {"id": org.code, "name": org.name}


def _item(item: OcdsItem, quantity: int, price_e4: int | None, currency: str) -> dict[str, Any]:
    """An OCDS Item: classification, quantity in minimal units and (if given) the unit price."""
    unit: dict[str, Any] = {"name": item.unit_name}
    if price_e4 is not None:
        unit["value"] = _money(currency, e4=price_e4)
    return {"id": item.code, "description": f"{item.name} {item.specification}",
            "classification": {"scheme": ITEM_SCHEME, "id": item.nhsa_code or item.code,
                               "description": item.name},
            "quantity": quantity, "unit": unit, "x_specification": item.specification}


def _parties(batch: OcdsBatch, *, suppliers: bool, hospitals: bool) -> list[dict[str, Any]]:
    """Parties of a release, roles merged per organisation code, in a stable order."""
    roles: dict[str, tuple[OcdsOrg, list[str]]] = {}

    def add(org: OcdsOrg, *names: str) -> None:
        """Add roles to an organisation, keeping the first order seen."""
        entry = roles.setdefault(org.code, (org, []))
        entry[1].extend(n for n in names if n not in entry[1])

    add(batch.bureau, "buyer", "procuringEntity")
    if batch.fund is not None:
        add(batch.fund, "payer")
    for org in sorted({a.supplier for a in batch.awards} if suppliers else (), key=lambda o: o.code):
        add(org, "supplier", "tenderer")
    for org in sorted({c.hospital for c in batch.contracts} if hospitals else (), key=lambda o: o.code):
        add(org, "buyer")
    parties = [{"id": org.code, "name": org.name,
                "identifier": {"scheme": ORG_SCHEME, "id": org.code, "legalName": org.name},
                "roles": names} for org, names in roles.values()]
    parties[0]["address"] = {"region": batch.region_code, "countryName": "中国"}
    return parties


def _release(ocid: str, rid: str, when: datetime, tags: list[str], batch: OcdsBatch,
             parties: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
    """The common frame of a release plus its sections."""
    return {"ocid": ocid, "id": rid, "date": _ts(when), "tag": tags, "initiationType": "tender",
            "language": "zh", "parties": parties, "buyer": _ref(batch.bureau), **sections}


def _tender_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The tender notice: items with their reported demand, bid window, opening date."""
    cur = batch.currency
    items = []
    for item in batch.items:
        entry = _item(item, item.demand_quantity, None, cur)
        if item.max_price_e4 is not None:
            entry["x_maxValidUnitPrice"] = _money(cur, e4=item.max_price_e4)
        items.append(entry)
    tender = {"id": batch.code, "title": batch.name, "status": "active",
              "procuringEntity": _ref(batch.bureau), "items": items,
              "procurementMethod": "open", "procurementMethodDetails": "带量采购 / volume-based procurement",
              "mainProcurementCategory": "goods", "awardCriteria": "priceOnly",
              "submissionMethod": ["electronicSubmission"],
              "tenderPeriod": {"startDate": _ts(batch.tender_start), "endDate": _ts(batch.tender_end)},
              "x_bidOpeningDate": _ts(batch.opening_at)}
    return _release(ocid, f"{ocid}-tender", batch.tender_start, ["tender"], batch,
                    _parties(batch, suppliers=False, hospitals=False), tender=tender)


def _statistics(batch: OcdsBatch) -> list[dict[str, Any]]:
    """Per-item bid statistics in the bid extension's shape (``x_relatedItem`` = item id)."""
    out: list[dict[str, Any]] = []
    for s in batch.bids:
        rows: list[tuple[str, Any]] = [("bids", s.bids), ("validBids", s.valid_bids)]
        for measure, e4 in (("x_lowestValidUnitPrice", s.lowest_price_e4),
                            ("x_highestValidUnitPrice", s.highest_price_e4)):
            if e4 is not None:
                rows.append((measure, price_e4_to_decimal(e4)))
        for measure, value in rows:
            stat = {"id": f"{s.item_code}-{measure}", "measure": measure, "value": value,
                    "date": _ts(batch.opening_at), "x_relatedItem": s.item_code}
            if isinstance(value, Decimal):
                stat["currency"] = batch.currency
            out.append(stat)
    return out


def _award_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The result: tender closed, bid statistics, active and unsuccessful awards."""
    cur, when = batch.currency, _ts(batch.published_at)
    tender: dict[str, Any] = {"id": batch.code, "status": "complete" if batch.awards else "unsuccessful"}
    if batch.number_of_tenderers is not None:
        tender["numberOfTenderers"] = batch.number_of_tenderers
    items = {i.code: i for i in batch.items}
    awards = [{"id": a.award_id, "title": f"{items[a.item_code].name} — {a.supplier.name}",
               "status": "active", "date": when, "value": _money(cur, fen=a.value_fen),
               "suppliers": [_ref(a.supplier)],
               "items": [_item(items[a.item_code], a.volume, a.unit_price_e4, cur)],
               "contractPeriod": _period(a.period_start, a.period_end),
               "x_regions": list(a.regions)} for a in batch.awards]
    won = {a.item_code for a in batch.awards}
    awards += [{"id": f"{batch.code}-{i.code}-unsuccessful", "title": i.name, "status": "unsuccessful",
                "date": when, "description": i.no_award_reason,
                "items": [_item(i, i.demand_quantity, None, cur)]}
               for i in batch.items if i.code not in won]
    sections: dict[str, Any] = {"tender": tender, "awards": awards}
    if batch.bids:
        sections["bids"] = {"statistics": _statistics(batch)}
    return _release(ocid, f"{ocid}-award", batch.published_at, ["tenderUpdate", "award"], batch,
                    _parties(batch, suppliers=True, hospitals=False), **sections)


def _contract_release(batch: OcdsBatch, ocid: str) -> dict[str, Any]:
    """The contracts; the release id carries a digest so each signature makes a new release."""
    cur = batch.currency
    items = {i.code: i for i in batch.items}
    contracts = []
    for c in batch.contracts:
        entry = {"id": c.code, "awardID": c.award_id, "title": f"{items[c.item_code].name} — {c.hospital.name}",
                 "status": c.status, "value": _money(cur, fen=c.value_fen),
                 "items": [_item(items[c.item_code], c.quantity, c.unit_price_e4, cur)],
                 "period": _period(c.period_start, c.period_end), "x_buyer": _ref(c.hospital)}
        if c.date_signed is not None:
            entry["dateSigned"] = _ts(c.date_signed)
        contracts.append(entry)
    parties = _parties(batch, suppliers=True, hospitals=True)
    digest = hashlib.sha256(to_json_text({"c": contracts, "p": parties}).encode()).hexdigest()[:12]
    when = max([batch.published_at] + [c.date_signed for c in batch.contracts if c.date_signed])
    return _release(ocid, f"{ocid}-contract-{digest}", when, ["contract"], batch, parties,
                    contracts=contracts)


def build_release_package(batch: OcdsBatch, *, publisher_name: str, uri: str,
                          ocid_prefix: str = "ocds-jicai", license_url: str | None = None) -> dict[str, Any]:
    """The OCDS 1.1 release package of a published batch: tender, award and (if any) contract
    releases. Amounts are Decimals; serialise with ``to_json_text``. Same input, same output."""
    ocid = f"{ocid_prefix}-{batch.code}"
    releases = [_tender_release(batch, ocid), _award_release(batch, ocid)]
    if batch.contracts:
        releases.append(_contract_release(batch, ocid))
    package: dict[str, Any] = {"uri": uri, "version": OCDS_VERSION, "extensions": [BID_EXTENSION],
                               "publishedDate": max(r["date"] for r in releases),
                               "publisher": {"name": publisher_name}}
    if license_url:
        package["license"] = license_url
    package["releases"] = releases
    return package


def to_json_text(data: Any, *, indent: int | None = None) -> str:
    """JSON text with every Decimal written as a number digit for digit (``Decimal("1.50")`` →
    ``1.50``), never through a float; floats, non-finite Decimals and non-str keys are refused;
    non-ASCII text is kept. ``json.dumps(default=...)`` can only substitute another JSON value
    (a string or a float), never a bare number, hence this small writer; strings, ints, bools
    and null are still spelt by ``json.dumps``."""
    step = " " * indent if indent is not None else ""
    sep, nl = (", ", "") if indent is None else (",", "\n")

    def write(value: Any, pad: str) -> str:
        """Encode one value whose container is indented by ``pad``."""
        inner = nl + pad + step
        if isinstance(value, dict) and value:
            if not all(isinstance(k, str) for k in value):
                raise TypeError("JSON object keys must be str")
            body = sep.join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {write(v, pad + step)}"
                            for k, v in value.items())
            return "{" + body + nl + pad + "}"
        if isinstance(value, list | tuple) and value:
            return "[" + sep.join(inner + write(v, pad + step) for v in value) + nl + pad + "]"
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise ValueError(f"not a finite number: {value}")
            return format(value, "f")
        if isinstance(value, float):
            raise TypeError("floats are not written: money is never a float")
        if value is None or isinstance(value, str | int | dict | list | tuple):  # empty containers
            return json.dumps(value, ensure_ascii=False)
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    return write(data, "")
